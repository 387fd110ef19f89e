// What the console needs to know about its server, and reading it from <meta> tags of index.html. No side effects.

/** Options of {@link mountConsole}. Everything defaults to the page's own origin. */
export interface ConsoleConfig {
  /** Origin (and path prefix) of the REST API, without `/api`. Default `''`: same origin. */
  apiBaseUrl?: string;
  /** Agent WebSocket URL. Default: `ws(s)://<this host>/ws/agent`. */
  wsUrl?: string;
  /** Site FAQ for suggested replies: entries JSON or a built index. Absent or failing: no suggestions. */
  faqUrl?: string;
}

/** Reads `<meta name="parley-api-base|parley-ws-url|parley-faq-url" content="…">`; empty contents are ignored. */
export function readConfigFromDocument(doc: Document): ConsoleConfig {
  const meta = (name: string): string | undefined => {
    const value = doc.querySelector(`meta[name="${name}"]`)?.getAttribute('content')?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const config: ConsoleConfig = {};
  const apiBaseUrl = meta('parley-api-base');
  const wsUrl = meta('parley-ws-url');
  const faqUrl = meta('parley-faq-url');
  if (apiBaseUrl !== undefined) config.apiBaseUrl = apiBaseUrl;
  if (wsUrl !== undefined) config.wsUrl = wsUrl;
  if (faqUrl !== undefined) config.faqUrl = faqUrl;
  return config;
}

/** The agent endpoint on the page's own host, `wss:` on https pages. */
export function defaultWsUrl(loc: Pick<Location, 'protocol' | 'host'>): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws/agent`;
}
