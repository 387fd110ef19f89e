// Host element, launcher, event listeners and the command API; loads the app on first interaction. No Preact:
// this ships in the loader. Before interaction it opens no socket, sets no cookie and writes no storage.
import type { IdentifyData, WidgetApi, WidgetConfig, WidgetEventName, WidgetEvents } from './embed-api.js';
import { createLauncher, type Launcher } from './launcher.js';
import type { LoadModule } from './modules.js';
import { ACTIVE_KEY, clearKeys, keyPrefix, readKey } from './storage-keys.js';
import { LAUNCHER_CSS } from './styles/launcher-css.js';
import { sheet, themeCss } from './theme.js';

/** What the controller hands the app when it starts. */
export interface AppContext {
  host: HTMLElement;
  root: ShadowRoot;
  launcher: Launcher;
  config: WidgetConfig;
  /** Base URL of `locales/` (and `app.js`). */
  assetsUrl: string;
  prefix: string;
  /** Loads an on-demand part (FAQ engine, transport). */
  load: LoadModule;
  emit<K extends WidgetEventName>(event: K, payload: WidgetEvents[K]): void;
}

/** A running app. */
export interface AppInstance {
  open(): void;
  close(): void;
  toggle(): void;
  identify(data: IdentifyData): void;
  /** Opens the panel and asks or sends `text` as the shopper. */
  send(text: string): void;
  shutdown(): void;
  destroy(): void;
}

export type StartApp = (ctx: AppContext) => AppInstance;

// The launcher's name before the locale file loads (the app then sets the locale's "Open chat"/"Close chat";
// aria-haspopup and aria-expanded already say what pressing it does). "Chat" is the word in every shipped language
// written in Latin script, so only the others need an entry: ten full "Open chat" phrases cost 100 of the loader's
// 2 kB. "Unavailable" exists only when the app (and so its locale) failed to load, so it stays English.
const CHAT_LABELS: Record<string, string> = { ja: 'チャット', ar: 'دردشة', he: 'צ׳אט' };

/** Throws on integrator mistakes, with the fix in the message. */
export function checkConfig(config: unknown): asserts config is WidgetConfig {
  const server = (config as Partial<WidgetConfig> | null)?.server;
  if (!/^wss?:\/\//.test(String(server))) throw new TypeError(`Parley: config.server must be a wss:// URL, not ${server}`);
}

/**
 * Creates the host and launcher at once; `loadApp` runs on the first click, focus or `open()`, or right away
 * when a conversation is in progress (this tab or another).
 */
export function createController(
  config: WidgetConfig,
  loadApp: () => Promise<StartApp>,
  load: LoadModule,
  assetsUrl: string,
  hostEl?: HTMLElement,
): WidgetApi {
  checkConfig(config);
  const doc = document;
  const prefix = keyPrefix(config.siteKey);
  let listeners: Array<[string, (p: never) => void]> = [];
  const emit = <K extends WidgetEventName>(event: K, payload: WidgetEvents[K]): void => {
    for (const [name, fn] of listeners) {
      try {
        if (name === event) (fn as (p: WidgetEvents[K]) => void)(payload);
      } catch (e) {
        // A host callback that throws must not break the widget; it is the host's bug, so report it on its console.
        console.error(e);
      }
    }
  };

  const host = hostEl ?? doc.body.appendChild(doc.createElement('div'));
  // Anything but `left` matches no rule and so means right; an attribute value cannot inject anything.
  host.setAttribute('data-pos', config.theme?.position ?? 'right');
  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  root.adoptedStyleSheets = [sheet(LAUNCHER_CSS), sheet(themeCss(config.theme))];
  const lang = (config.locale || navigator.language).slice(0, 2);
  const launcher = createLauncher(root, config.theme?.icon, CHAT_LABELS[lang] ?? 'Chat');

  let app: AppInstance | undefined;
  let loading: Promise<AppInstance | undefined> | undefined;
  let isDead = false;
  const pending: Array<(a: AppInstance) => void> = [];

  const ensure = (): Promise<AppInstance | undefined> =>
    (loading ??= loadApp().then(
      (start) => {
        if (isDead) return undefined;
        launcher.setUnavailable(false);
        app = start({ host, root, launcher, config, assetsUrl, prefix, load, emit });
        for (const fn of pending.splice(0)) fn(app);
        return app;
      },
      (e: unknown) => {
        // Never break the host page: grey launcher, an `error` event, and the next click tries again.
        loading = undefined;
        pending.length = 0;
        launcher.setUnavailable(true);
        emit('error', { code: 'WIDGET_LOAD_FAILED', message: String(e) });
        return undefined;
      },
    ));
  const withApp = (fn: (a: AppInstance) => void, shouldLoad = true): void => {
    if (isDead) return;
    if (app) return fn(app);
    pending.push(fn);
    if (shouldLoad) void ensure();
  };

  const onStorage = (e: StorageEvent): void => {
    if (e.key === prefix + ACTIVE_KEY && e.newValue) void ensure();
  };
  // Handler properties, not addEventListener: the button is ours alone, and they are shorter in the loader.
  launcher.button.onclick = () => withApp((a) => a.toggle());
  // Focus (keyboard, or the press before a click) starts the download early.
  launcher.button.onfocus = () => void ensure();
  addEventListener('storage', onStorage);
  if (readKey(prefix, ACTIVE_KEY)) void ensure();

  const teardown = (): void => {
    isDead = true;
    removeEventListener('storage', onStorage);
    if (hostEl) root.replaceChildren();
    else host.remove();
  };

  return {
    open: () => withApp((a) => a.open()),
    close: () => app?.close(),
    toggle: () => withApp((a) => a.toggle()),
    identify: (data) => withApp((a) => a.identify(data), false),
    send(text) {
      if (typeof text !== 'string') throw new TypeError(`Parley: send(text) takes a string, not ${typeof text}`);
      withApp((a) => a.send(text));
    },
    on(event, fn) {
      const entry: [string, (p: never) => void] = [event, fn as (p: never) => void];
      // A new array on every change: emit() may be iterating the old one.
      listeners = [...listeners, entry];
      return () => void (listeners = listeners.filter((l) => l !== entry));
    },
    shutdown() {
      if (app) app.shutdown();
      else clearKeys(prefix);
      teardown();
    },
    destroy() {
      app?.destroy();
      teardown();
    },
  };
}
