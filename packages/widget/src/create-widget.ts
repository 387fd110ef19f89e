// The npm entry's factory: same controller as the script tag, with the app loaded by a dynamic import.
import { createController } from './controller.js';
import type { WidgetApi, WidgetConfig } from './embed-api.js';

export interface CreateWidgetOptions {
  /** Render into this element's shadow root instead of a new <div> at the end of <body>. */
  host?: HTMLElement;
}

/**
 * Create the widget: the launcher appears now; the chat app loads on first interaction.
 * Throws a `TypeError` for an invalid config (the message says how to fix it).
 * @example
 * const chat = createWidget({ server: 'wss://chat.example.com/ws/visitor', siteKey: 'site_1', faqUrl: '/faq.json' });
 * chat.on('unread', ({ count }) => updateBadge(count));
 */
export function createWidget(config: WidgetConfig, options: CreateWidgetOptions = {}): WidgetApi {
  const assets = config.assetsUrl ? new URL(config.assetsUrl, location.href).href : new URL('.', import.meta.url).href;
  return createController(
    config,
    () => import('./mount.js').then((m) => (ctx) => m.startApp(ctx)),
    // Bundlers split these into chunks of their own: the FAQ engine loads after the app (its builder only for a FAQ
    // that is not compiled), transport at hand-off, the forms when one is about to show,
    // attachments when a file is picked or shown.
    (name) =>
      (name === 'faq'
        ? import('@parley/faq/runtime-core')
        : name.startsWith('faq-words-')
          ? import('@parley/faq/locale-words').then((m) => ({ [name.slice(10)]: m.OTHER_LOCALE_WORDS[name.slice(10) as 'de'] }))
        : name === 'faq-build'
          ? import('@parley/faq')
          : name === 'forms'
            ? import('./forms.js')
            : name === 'attach'
              ? import('./attach.js')
              : import('@parley/transport')) as never,
    assets,
    options.host,
  );
}
