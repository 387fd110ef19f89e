// The typed public API and event names for host pages and developers. Types only; no behaviour.
import type { AgentInfo, EscalationReason, Message, RatingScale, VisitorProfile } from '@parley/protocol';

/** A pre-chat form field. `email` is validated as an address. */
export type PreChatField = 'name' | 'email';

/** How the widget looks and where it sits. Everything optional. */
export interface WidgetTheme {
  /** Accent colour for the launcher, header and your own bubbles: any CSS colour (`#0a7`, `rgb(…)`). */
  color?: string;
  position?: 'left' | 'right';
  /** `auto` follows `prefers-color-scheme`. */
  mode?: 'light' | 'dark' | 'auto';
  /**
   * Launcher icon: an SVG path (`d`) on a 24×24 grid, drawn as a 2px stroke. Default: a speech bubble.
   * @example icon: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.6M12 17h.01' // help
   */
  icon?: string;
}

/** A FAQ entry as the widget needs it: the same shape `@parley/faq` indexes. */
export interface WidgetFaqEntry {
  id: string;
  question: string;
  answer: string;
  phrasings?: string[];
  tags?: string[];
  link?: string;
  locale?: string;
}

/** What `Parley('boot', config)`, `createWidget(config)` and `<parley-chat>` accept. */
export interface WidgetConfig {
  /** The Parley server's visitor WebSocket URL, e.g. `wss://chat.example.com/ws/visitor`. */
  server: string;
  /** The site's public key (which site's rules apply on the server). */
  siteKey?: string;
  /** BCP 47 tag; defaults to `navigator.language`. Shipped: en es fr de pt it nl ja ar he. */
  locale?: string;
  theme?: WidgetTheme;
  /** First bubble the shopper sees; defaults to the locale's greeting. */
  greeting?: string;
  /** Panel title; defaults to the locale's title. */
  title?: string;
  /** FAQ entries, inline… */
  faq?: WidgetFaqEntry[];
  /** …or the URL of a JSON file: a `@parley/faq` index (`toJSON()`) or an array of entries. Fetched on first open. */
  faqUrl?: string;
  /** Ask for these before connecting to a person (values from `identify` pre-fill it). Empty: no form. */
  preChat?: PreChatField[];
  /**
   * The rating asked for after a chat: `csat` 1–5 stars (default), `ces` effort 1–7, `nps` 0–10. Set it to the
   * site's scale on the server (which refuses scores off it); the site's public config supplies it when left out.
   */
  ratingScale?: RatingScale;
  /** Where `locales/<lang>.json` (and, for the script tag, `app.js`) live. Defaults to the loader's folder. */
  assetsUrl?: string;
  /** Strings to use instead of fetching a locale file (tests, custom wording). Merged over the fetched ones. */
  messages?: Record<string, string>;
  /** Returns a visitor token for identified shoppers (signed by your backend). */
  getToken?: () => Promise<string | undefined> | string | undefined;
  /**
   * The signed-in shopper, proven by your backend with the site's identity secret: `{ userId, hmac }` (hex
   * HMAC-SHA256 of the user id) or `{ jwt }` (HS256, `sub` = user id, short `exp`). Needed when the site requires a
   * verified identity. `identify()` can set or replace it later; it is sent with the next connection.
   */
  identity?: WidgetIdentity;
  /**
   * Asked before every connection attempt, so a short-lived JWT is fetched afresh on each reconnect. What it
   * returns wins over `identity`; returning nothing falls back to it.
   * @example getIdentity: () => fetch('/chat-identity').then((r) => r.json()) // → { jwt }
   */
  getIdentity?: () => Promise<WidgetIdentity | undefined> | WidgetIdentity | undefined;
}

/** A shopper identity signed by the site's backend: give `hmac` with `userId`, or a `jwt`. */
export interface WidgetIdentity {
  userId?: string;
  hmac?: string;
  jwt?: string;
}

/**
 * `identify` data: `name` and `email` are shown to agents and pre-fill the pre-chat form; `userId` with `hmac`, or
 * `jwt`, is the shopper's signed identity (see `WidgetConfig.identity`).
 */
export type IdentifyData = Pick<VisitorProfile, 'name' | 'email'> & WidgetIdentity;

/** Every event the widget emits, with its payload. */
export interface WidgetEvents {
  open: void;
  close: void;
  /** A message from an agent (or your own from another tab). */
  message: { message: Message; isMine: boolean };
  /** Unread count changed (shared across tabs). */
  unread: { count: number };
  escalated: { conversationId: string; reason: EscalationReason; status: 'queued' | 'offline' };
  assigned: { conversationId: string; agent: AgentInfo };
  closed: { conversationId: string; by: 'visitor' | 'agent' };
  rated: { conversationId: string; score: number; scale: RatingScale; comment?: string };
  /** Something failed; `code` is a `ParleyError` code such as `WIDGET_LOAD_FAILED`. */
  error: { code: string; message: string };
}

export type WidgetEventName = keyof WidgetEvents;

/** The object `createWidget` returns. The script-tag `Parley(command, …)` maps onto the same methods. */
export interface WidgetApi {
  open(): void;
  close(): void;
  toggle(): void;
  identify(data: IdentifyData): void;
  /**
   * Opens the panel and sends `text` as the shopper: a question for the FAQ while self-serving, a chat message
   * once a person is involved (before that, nothing leaves the page). Throws a `TypeError` for a non-string.
   * @example
   * chat.send('How long does delivery take?');
   */
  send(text: string): void;
  /** Subscribe; returns an unsubscribe function. */
  on<K extends WidgetEventName>(event: K, fn: (payload: WidgetEvents[K]) => void): () => void;
  /** Forget the visitor: clear our storage keys, close the socket, remove the widget. */
  shutdown(): void;
  /** Remove the widget and close the socket, keeping the visitor's conversation for the next page. */
  destroy(): void;
}
