// Bridges the admin store to Preact, like hooks/use-store.ts does for the console store.
import { createContext } from 'preact';
import { useContext, useLayoutEffect, useReducer, useRef } from 'preact/hooks';
import type { AdminState, AdminStore } from './admin-store.js';

export const AdminStoreContext = createContext<AdminStore | null>(null);

export function useAdminStore(): AdminStore {
  const store = useContext(AdminStoreContext);
  if (!store) throw new Error('render admin screens inside AdminStoreContext.Provider (mountConsole() does this)');
  return store;
}

/** Reads a narrow value from the admin store; re-renders only when it changes (Object.is). */
export function useAdmin<T>(selector: (state: AdminState) => T): T {
  const store = useAdminStore();
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const value = selector(store.getState());
  const latest = useRef({ selector, value });
  latest.current = { selector, value };
  useLayoutEffect(() => {
    const check = (state: AdminState): void => {
      if (!Object.is(latest.current.selector(state), latest.current.value)) rerender(0);
    };
    check(store.getState());
    return store.subscribe(check);
  }, [store]);
  return value;
}
