// Bridges the vanilla store to Preact: a component re-renders only when its selected value changes (Object.is).
import { createContext } from 'preact';
import { useContext, useLayoutEffect, useReducer, useRef } from 'preact/hooks';
import type { Translator } from '../i18n/t.js';
import type { WidgetState, WidgetStore } from '../store/widget-store.js';

export const StoreContext = createContext<WidgetStore | null>(null);
export const I18nContext = createContext<Translator | null>(null);

/** The mounted store; throws when a component renders outside `<StoreContext.Provider>`. */
export function useWidgetStore(): WidgetStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('WIDGET_NOT_MOUNTED: render components inside StoreContext.Provider (mount() does this)');
  return store;
}

/**
 * Read a narrow value from the store. Select primitives or stable references, not fresh objects.
 * @example const status = useStore((s) => s.conversation.status);
 */
export function useStore<T>(selector: (state: WidgetState) => T): T {
  const store = useWidgetStore();
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const value = selector(store.getState());
  const latest = useRef({ selector, value });
  latest.current = { selector, value };
  useLayoutEffect(() => {
    const check = (state: WidgetState): void => {
      if (!Object.is(latest.current.selector(state), latest.current.value)) rerender(0);
    };
    // The store may have changed between render and subscribe.
    check(store.getState());
    return store.subscribe(check);
  }, [store]);
  return value;
}

/** The actions (stable functions) of the store. */
export function useActions(): WidgetState {
  return useWidgetStore().getState();
}

export function useT(): Translator {
  const t = useContext(I18nContext);
  if (!t) throw new Error('WIDGET_NOT_MOUNTED: render components inside I18nContext.Provider (mount() does this)');
  return t;
}
