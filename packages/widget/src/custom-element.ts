// <parley-chat> custom element around createWidget. Defined on request (no side effects at import).
import { createWidget } from './create-widget.js';
import type { PreChatField, WidgetApi, WidgetConfig, WidgetTheme } from './embed-api.js';

/**
 * Define `<parley-chat server site-key locale theme color position icon greeting faq-url assets-url pre-chat>`.
 * The element's `widget` property is the {@link WidgetApi} while it is connected.
 * @example
 * defineParleyChat();
 * // <parley-chat server="wss://chat.example.com/ws/visitor" site-key="site_1" theme="dark"></parley-chat>
 */
export function defineParleyChat(tagName = 'parley-chat'): void {
  if (customElements.get(tagName)) return;
  customElements.define(
    tagName,
    class extends HTMLElement {
      widget: WidgetApi | undefined;
      connectedCallback(): void {
        const attr = (n: string): string | undefined => this.getAttribute(n) ?? undefined;
        const config: WidgetConfig = {
          server: attr('server') ?? '',
          siteKey: attr('site-key'),
          locale: attr('locale'),
          greeting: attr('greeting'),
          faqUrl: attr('faq-url'),
          assetsUrl: attr('assets-url'),
          preChat: attr('pre-chat')?.split(',').map((s) => s.trim()).filter((s): s is PreChatField => s === 'name' || s === 'email'),
          theme: {
            mode: attr('theme') as WidgetTheme['mode'],
            color: attr('color'),
            position: attr('position') as WidgetTheme['position'],
            icon: attr('icon'),
          },
        };
        this.widget = createWidget(config, { host: this });
      }
      disconnectedCallback(): void {
        this.widget?.destroy();
        this.widget = undefined;
      }
    },
  );
}
