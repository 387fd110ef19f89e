// Renders the console into an element: builds the API client, the store and its transport, wires hash routes,
// visibility and notifications. Nothing runs until mountConsole() is called.

import { render } from 'preact';
import { createClient, type WebSocketConstructor } from '@parley/transport';
import { createAdminApi } from './admin/admin-api.js';
import { createAdminStore } from './admin/admin-store.js';
import { AdminStoreContext } from './admin/use-admin.js';
import { createApi } from './api.js';
import { defaultWsUrl, type ConsoleConfig } from './config.js';
import { loadSuggester } from './faq-suggest.js';
import { StoreContext } from './hooks/use-store.js';
import { createNotifier } from './notifier.js';
import { createConsoleStore, ROUTES, type ConsoleStore, type Route } from './store/console-store.js';
import { App } from './components/App.js';

export interface MountedConsole {
  store: ConsoleStore;
  /** Removes the UI and closes the connection. */
  unmount(): void;
}

function safeStorage(get: () => Storage): Storage | undefined {
  try {
    return get();
  } catch {
    // Storage access throws in some sandboxed frames and privacy modes; the console then keeps state in memory.
    return undefined;
  }
}

function routeFromHash(hash: string): Route | undefined {
  const name = hash.replace(/^#\/?/, '');
  return (ROUTES as readonly string[]).includes(name) ? (name as Route) : undefined;
}

/**
 * Mounts the agent console into `root`.
 * @example
 * mountConsole(document.getElementById('app')!, { faqUrl: '/faq.json' });
 */
export function mountConsole(root: HTMLElement, config: ConsoleConfig = {}, win: Window & typeof globalThis = window): MountedConsole {
  const api = createApi({ baseUrl: config.apiBaseUrl ?? '' });
  const notifier = createNotifier(win);
  const store = createConsoleStore({
    api,
    createClient: (getToken) =>
      createClient({
        url: () => config.wsUrl ?? defaultWsUrl(win.location),
        role: 'agent',
        getToken,
        ...(win.WebSocket === undefined ? {} : { WebSocket: win.WebSocket as unknown as WebSocketConstructor }),
      }),
    sessionStorage: safeStorage(() => win.sessionStorage),
    localStorage: safeStorage(() => win.localStorage),
    notifier,
    ...(config.faqUrl === undefined
      ? {}
      : { loadSuggester: () => loadSuggester(config.faqUrl!, { onError: (err) => win.console.warn('parley-console: FAQ not loaded', err) }) }),
    isPageVisible: () => win.document.visibilityState !== 'hidden',
  });

  // The admin pages' store; it borrows the console's session token.
  const adminStore = createAdminStore({ api: createAdminApi({ baseUrl: config.apiBaseUrl ?? '' }), getToken: () => store.getState().auth.token });

  const onHash = () => {
    const route = routeFromHash(win.location.hash);
    if (route !== undefined && route !== store.getState().route) store.getState().navigate(route);
  };
  const onVisible = () => store.getState().markActiveRead();
  onHash();
  win.addEventListener('hashchange', onHash);
  win.document.addEventListener('visibilitychange', onVisible);
  const stopHashSync = store.subscribe((state, previous) => {
    if (state.route !== previous.route && routeFromHash(win.location.hash) !== state.route) {
      win.history.replaceState(null, '', `#/${state.route}`);
    }
  });

  render(
    <StoreContext.Provider value={store}>
      <AdminStoreContext.Provider value={adminStore}>
        <App />
      </AdminStoreContext.Provider>
    </StoreContext.Provider>,
    root,
  );
  void store.getState().restoreSession();

  return {
    store,
    unmount() {
      win.removeEventListener('hashchange', onHash);
      win.document.removeEventListener('visibilitychange', onVisible);
      stopHashSync();
      store.getState().disconnect();
      render(null, root);
    },
  };
}
