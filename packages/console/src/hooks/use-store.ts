// Bridges the vanilla store to Preact: a component re-renders only when its selected value changes (Object.is).
import { createContext } from 'preact';
import { useContext, useEffect, useLayoutEffect, useReducer, useRef, useState } from 'preact/hooks';
import type { ConsoleState, ConsoleStore } from '../store/console-store.js';

export const StoreContext = createContext<ConsoleStore | null>(null);

/** The mounted store; throws when a component renders outside `<StoreContext.Provider>`. */
export function useConsoleStore(): ConsoleStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('render console components inside StoreContext.Provider (mountConsole() does this)');
  return store;
}

/**
 * Reads a narrow value from the store. Select primitives or stable references, not fresh objects.
 * @example const queue = useStore((s) => s.queue);
 */
export function useStore<T>(selector: (state: ConsoleState) => T): T {
  const store = useConsoleStore();
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const value = selector(store.getState());
  const latest = useRef({ selector, value });
  latest.current = { selector, value };
  useLayoutEffect(() => {
    const check = (state: ConsoleState): void => {
      if (!Object.is(latest.current.selector(state), latest.current.value)) rerender(0);
    };
    check(store.getState());
    return store.subscribe(check);
  }, [store]);
  return value;
}

/** The actions (stable functions) of the store. */
export function useActions(): ConsoleState {
  return useConsoleStore().getState();
}

/** The current time, refreshed every `intervalMs`, for live durations. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
