// Starts the app inside the controller's shadow root: store, transport client, locale, panel, tab sync, page
// tracking. Everything here starts at mount() and stops at destroy(); nothing runs at import.
import type { RatingScale, VisitorIdentity } from '@parley/protocol';
import { h, render } from 'preact';
import { Panel } from './components/Panel.js';
import type { AppContext, AppInstance } from './controller.js';
import { createFaqLoader } from './faq-source.js';
import { createChunkLoader } from './chunk-loader.js';
import { AttachContext, FormsContext } from './hooks/use-chunk.js';
import { I18nContext, StoreContext } from './hooks/use-store.js';
import { loadLocale, pickLocale } from './i18n/load-locale.js';
import { createTranslator, type Translator } from './i18n/t.js';
import { readIdentity } from './identity.js';
import { syncLauncher } from './launcher-sync.js';
import { trackPages } from './page-tracker.js';
import { ACTIVE_KEY, clearKeys, READ_KEY, readKey, TOKEN_KEY, writeKey } from './storage-keys.js';
import type { ChatClient } from './store/chat-client.js';
import { createWidgetStore, type WidgetStore } from './store/widget-store.js';
import { PANEL_CSS } from './styles/panel-css.js';
import { createTabSync, type TabSync } from './tab-sync.js';
import { fetchSiteConfig, siteConfigUrl, type SiteConfig } from './site-config.js';
import { sheet, themeCss } from './theme.js';

/**
 * Test seam: build the transport client yourself (a fake, or one with a custom WebSocket). `identity` is the
 * shopper identity from `boot`/`identify()` as it is at each connection attempt.
 */
export type ClientFactory = (ctx: AppContext, identity: () => VisitorIdentity | undefined) => Promise<ChatClient>;

const defaultClient: ClientFactory = async ({ config, prefix, load }, identity) => {
  const { createVisitorClient, localStorageStorage } = await load('transport');
  const client = createVisitorClient({
    url: config.server,
    siteKey: config.siteKey,
    storage: localStorageStorage(prefix),
    getToken: async () => (await config.getToken?.()) ?? readKey(prefix, TOKEN_KEY) ?? undefined,
    // Asked before every attempt: a refreshed JWT (getIdentity) or one identify() gave since the last attempt.
    getIdentity: async () => readIdentity(await config.getIdentity?.()) ?? identity(),
  });
  client.on('token', (token) => void writeKey(prefix, TOKEN_KEY, token));
  return client;
};

/** The rating scales; spelled out so app.js needs no protocol code (a test keeps it equal to RATING_SCALE_RANGES). */
export const RATING_SCALES: readonly RatingScale[] = ['csat', 'ces', 'nps'];

/**
 * The boot config's scale when it is one: anything else ('NPS') would leave the rating screen without a range and
 * throw when the chat closes. Checked here, not in the loader, to keep the loader's bytes; the site's scale (or
 * csat) is asked instead, with a warning for the integrator.
 */
function bootRatingScale(value: unknown): RatingScale | undefined {
  if (value === undefined || RATING_SCALES.includes(value as RatingScale)) return value as RatingScale | undefined;
  console.warn(`Parley: config.ratingScale must be one of ${RATING_SCALES.join(', ')}, not ${JSON.stringify(value)}; using the site's scale`);
  return undefined;
}

/** Mount the app; used by the loader's app chunk and by `createWidget`. */
export function startApp(ctx: AppContext, makeClient: ClientFactory = defaultClient): AppInstance {
  const { root, launcher, config, prefix, emit, load } = ctx;
  const locale = pickLocale(config.locale ?? navigator.language);
  let tr: Translator = createTranslator(locale, config.messages ?? {});
  ctx.host.setAttribute('data-mode', config.theme?.mode ?? 'auto');
  const viewport = sheet('');
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet(PANEL_CSS), viewport];
  const container = root.ownerDocument.createElement('div');
  root.prepend(container);

  const forms = createChunkLoader(ctx, 'forms');
  const attach = createChunkLoader(ctx, 'attach');
  let sync: TabSync | undefined;
  // Lives only as long as this app: shutdown (and destroy) forget it with everything else.
  let identity = readIdentity(config.identity);
  const ratingScale = bootRatingScale(config.ratingScale);
  const store: WidgetStore = createWidgetStore({
    client: () => makeClient(ctx, () => identity),
    loadFaq: createFaqLoader(config, locale, load),
    emit,
    setActive(id) {
      writeKey(prefix, ACTIVE_KEY, id);
      sync?.announce(id);
    },
    readMark: {
      load: (id) => {
        const [savedId, seq] = (readKey(prefix, READ_KEY) ?? '').split(' ');
        return savedId === id ? Number(seq) || 0 : 0;
      },
      save: (id, seq) => void writeKey(prefix, READ_KEY, `${id} ${seq}`),
    },
    greeting: config.greeting ?? '',
    preChat: config.preChat ?? [],
    ...(ratingScale ? { ratingScale } : {}),
    // The server's word over the boot config's here: it just refused a rating on the scale the widget showed.
    siteRatingScale: async () => (config.siteKey ? (await fetchSiteConfig(siteConfigUrl(config.server, config.siteKey)))?.ratingScale : undefined),
    locale,
    upload: async (file, token) => {
      const { uploadEndpoint, uploadFile } = await attach.load();
      return uploadFile(uploadEndpoint(config.server), token, file);
    },
  });
  sync = createTabSync(`${prefix}sync`, store);
  const tabs = sync;

  let isReady = false;
  const paint = (): void => {
    if (!isReady) return;
    render(
      h(
        StoreContext.Provider,
        { value: store },
        h(
          FormsContext.Provider,
          { value: forms },
          h(AttachContext.Provider, { value: attach }, h(I18nContext.Provider, { value: tr }, h(Panel, { title: config.title }))),
        ),
      ),
      container,
    );
  };
  // The greeting when the page's config has none: the site's (once its config says) or the locale's.
  let siteGreeting: string | undefined;
  const showGreeting = (): void => {
    if (config.greeting) return;
    const text = siteGreeting ?? tr.t('greeting');
    const s = store.getState();
    const greeting = s.conversation.items.find((i) => i.kind === 'greeting');
    if (greeting) s.updateItem(greeting.id, { text });
    else if (s.conversation.status === 'bot' && !s.conversation.items.length) s.addItems([{ kind: 'greeting', id: 'greeting', text }]);
  };
  const applyLocale = (messages: Record<string, string>): void => {
    tr = createTranslator(locale, { ...messages, ...config.messages });
    syncNow();
    showGreeting();
    isReady = true;
    paint();
  };
  // The site's config fills in what the page's boot config leaves out; the page always wins.
  const applySite = ({ color, position, greeting, ...settings }: SiteConfig): void => {
    if (color && !config.theme?.color) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet(themeCss({ color }))];
    if (position && !config.theme?.position) ctx.host.setAttribute('data-pos', position);
    if (ratingScale) delete settings.ratingScale;
    if (config.preChat) delete settings.preChat;
    store.getState().configure(settings);
    if (greeting) {
      siteGreeting = greeting;
      showGreeting();
    }
  };
  void loadLocale(locale, ctx.assetsUrl, (e) => emit('error', { code: 'WIDGET_LOCALE_FAILED', message: String(e) })).then(applyLocale);

  // Sync the vanilla launcher with the store; return focus to it when the panel closes.
  const syncNow = (): void => {
    const { isOpen, unread } = store.getState().ui;
    syncLauncher(launcher, {
      isOpen,
      unread,
      labels: { open: tr.t('launcher.open'), close: tr.t('launcher.close'), unread: tr.t('launcher.unread', { count: unread }) },
    });
  };
  // Fetched on the first open, never before: a page view without a click costs the chat server nothing.
  let hasSiteConfig = false;
  const loadSiteConfig = (): void => {
    if (hasSiteConfig || !config.siteKey) return;
    hasSiteConfig = true;
    void fetchSiteConfig(siteConfigUrl(config.server, config.siteKey)).then((site) => {
      if (site) applySite(site);
    });
  };
  const offStore = store.subscribe((s, prev) => {
    if (s.ui.isOpen && !prev.ui.isOpen) loadSiteConfig();
    if (s.ui.isOpen === prev.ui.isOpen && s.ui.unread === prev.ui.unread) return;
    syncNow();
    // Only when focus was in the panel: a host page calling close() keeps its own focus.
    if (prev.ui.isOpen && !s.ui.isOpen && container.contains(root.activeElement)) launcher.button.focus();
  });

  // Keep the input above the on-screen keyboard: size the full-screen panel by the visual viewport.
  const vv = globalThis.visualViewport;
  const onViewport = (): void => {
    if (vv) viewport.replaceSync(`:host{--pvh:${Math.round(vv.height)}px!important}`);
  };
  vv?.addEventListener('resize', onViewport);
  onViewport();

  // Fetch the FAQ engine and data now, so the first question is answered without a wait.
  store.getState().prefetchFaq();
  // Escape closes from anywhere in the widget (the launcher included), not only from inside the dialog.
  const onKey = (e: Event): void => {
    if ((e as KeyboardEvent).key === 'Escape' && store.getState().ui.isOpen) store.getState().close();
  };
  root.addEventListener('keydown', onKey);
  const stopPages = trackPages((url, title) => store.getState().trackPage(url, title));
  store.getState().identify({ page: location.href });
  const active = readKey(prefix, ACTIVE_KEY);
  if (active) store.getState().resume(active);

  const unmount = (): void => {
    offStore();
    stopPages();
    root.removeEventListener('keydown', onKey);
    vv?.removeEventListener('resize', onViewport);
    tabs.close();
    store.getState().disconnect();
    render(null, container);
    container.remove();
  };
  return {
    open: () => store.getState().open(),
    close: () => store.getState().close(),
    toggle: () => store.getState().toggle(),
    identify(data) {
      identity = readIdentity(data) ?? identity;
      store.getState().identify({ ...(data?.name ? { name: String(data.name) } : {}), ...(data?.email ? { email: String(data.email) } : {}) });
    },
    send(text) {
      store.getState().open();
      void store.getState().ask(text);
    },
    shutdown() {
      tabs.announce(null);
      unmount();
      clearKeys(prefix);
    },
    destroy: unmount,
  };
}
