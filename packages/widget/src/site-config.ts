// The site's public config (`GET /api/sites/:key/public` on the chat server): fetched once, on the first open, and
// checked field by field like any network input. A failure of any kind gives undefined: the boot config stands.
import type { PreChatField } from './embed-api.js';
import type { SiteSettings } from './store/ui.js';

/**
 * What the widget takes from the site's config, each field only when the page's boot config leaves it out: the
 * store's site settings as they are named there, plus the look and the greeting.
 */
export interface SiteConfig extends SiteSettings {
  color?: string;
  position?: 'left' | 'right';
  greeting?: string;
}

/** The server answers in a few hundred bytes; anything much larger is not its answer. */
const MAX_BYTES = 16 * 1024;

/** `wss://chat.example/ws/visitor` + `shop` → `https://chat.example/api/sites/shop/public`. */
export function siteConfigUrl(socketUrl: string, siteKey: string): string {
  const url = new URL(socketUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = `/api/sites/${encodeURIComponent(siteKey)}/public`;
  url.search = '';
  return url.href;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keeps the fields that have the right shape; drops the rest. */
export function readSiteConfig(raw: unknown): SiteConfig {
  const out: SiteConfig = {};
  if (!isObject(raw)) return out;
  const theme = isObject(raw.theme) ? raw.theme : {};
  if (typeof theme.color === 'string' && theme.color.length <= 32) out.color = theme.color;
  if (theme.position === 'left' || theme.position === 'right') out.position = theme.position;
  if (typeof theme.greeting === 'string' && theme.greeting.length <= 500) out.greeting = theme.greeting;
  if (raw.ratingScale === 'csat' || raw.ratingScale === 'ces' || raw.ratingScale === 'nps') out.ratingScale = raw.ratingScale;
  if (Array.isArray(raw.preChat) && raw.preChat.every((f) => f === 'name' || f === 'email')) out.preChat = [...new Set(raw.preChat as PreChatField[])];
  if (typeof raw.transcriptEmail === 'boolean') out.canEmailTranscript = raw.transcriptEmail;
  if (typeof raw.isOpen === 'boolean') out.isSiteOpen = raw.isOpen;
  return out;
}

/** Never rejects: undefined on a network error, a non-200, an oversize or unreadable answer. */
export async function fetchSiteConfig(url: string, fetchFn: typeof fetch = fetch): Promise<SiteConfig | undefined> {
  try {
    // No cookies or credentials: the config is public, and the page's own cookies are none of the server's business.
    const res = await fetchFn(url, { credentials: 'omit' });
    if (!res.ok) return undefined;
    const text = await res.text();
    return text.length > MAX_BYTES ? undefined : readSiteConfig(JSON.parse(text));
  } catch {
    // Deliberately silent: without the site's config the widget runs on its boot config, which is a working widget.
    return undefined;
  }
}
