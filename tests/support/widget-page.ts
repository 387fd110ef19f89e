// Shared set-up for the widget's Chromium suites: a host page with the README's script-tag snippet, a static site
// that serves it next to packages/widget/dist, an in-process @parley/server with an agent (a Node transport
// client), and page probes that see through the shadow root. No assertions here: each suite asserts its own.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFaqMarkdown } from '@parley/faq';
import { createServer, hashAgentToken, type ParleyServer } from '@parley/server';
import type { DeliveredMessage, ParleyClient } from '@parley/transport';
import { createClient, memoryStorage } from '@parley/transport';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import WebSocket from 'ws';
import { launchChromium } from './browser.js';

/** The built widget; `WIDGET_DIST=<dir>/` tests another build (as scripts/bench/widget/size.mjs measures one). */
export const WIDGET_DIST = process.env.WIDGET_DIST ?? fileURLToPath(new URL('../../packages/widget/dist/', import.meta.url));
/** What every widget suite needs built; pass to `browserSkipReason`. */
export const WIDGET_FILES = ['loader.js', 'app.js', 'faq.js', 'transport.js', 'forms.js', 'attach.js', 'locales/en.json'].map((f) => WIDGET_DIST + f);

/** `expect.poll` options for browser steps: vitest's 1 s default is too short on a loaded 2-core CI machine. */
export const POLL = { timeout: 10_000, interval: 50 };

/** The storefront FAQ as the entries JSON a site would serve at `faqUrl`. */
export const STOREFRONT_FAQ_JSON = JSON.stringify(
  parseFaqMarkdown(readFileSync(new URL('../../packages/faq/fixtures/storefront-faq.md', import.meta.url), 'utf8')).entries,
);

/** The policy the README promises zero violations under. */
export const strictCsp = (nonce: string): string => `script-src 'nonce-${nonce}' 'strict-dynamic'; style-src 'nonce-${nonce}'`;

export interface HostPageOptions {
  /** `Parley('boot', …)` config (`assetsUrl` defaults to `/parley/`); null loads the loader but never boots. */
  boot: Record<string, unknown> | null;
  /** Nonce for the inline snippet (pair it with `strictCsp(nonce)`). */
  nonce?: string;
  head?: string;
  body?: string;
}

/**
 * The README's snippet, plus recorders the suites read back: `__violations` (CSP reports), `__errors` and
 * `__events` (widget events, as `name` or `name:count` for `unread`).
 */
export function hostPage({ boot, nonce, head = '', body = '' }: HostPageOptions): string {
  const n = nonce ? ` nonce="${nonce}"` : '';
  const bootCall = boot ? `Parley('boot',${JSON.stringify({ assetsUrl: '/parley/', ...boot })});` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<script${n}>(function(w,d,s){w.Parley=w.Parley||function(){(w.Parley.q=w.Parley.q||[]).push(arguments)};s=d.createElement('script');s.async=1;s.src='/parley/loader.js';d.head.appendChild(s)})(window,document);
window.__violations=[];document.addEventListener('securitypolicyviolation',function(e){window.__violations.push(e.violatedDirective+' '+e.blockedURI)});
window.__errors=[];Parley('on','error',function(e){window.__errors.push(e.code)});
window.__unread=[];Parley('on','unread',function(e){window.__unread.push(e.count)});
${bootCall}</script>${head}
</head><body>${body}</body></html>`;
}

export interface SitePage {
  html: string;
  csp?: string;
}

export interface WidgetSite {
  base: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.json': 'application/json', '.map': 'application/json' };

/**
 * Serves `pages` by path, `/faq.json` (`faqJson`: the storefront entries unless given), and `/parley/*` from the
 * widget's dist on a loopback port.
 */
export async function startWidgetSite(
  pages: Record<string, (url: URL) => SitePage>,
  faqJson = STOREFRONT_FAQ_JSON,
  /** More JSON files by path (another FAQ, say). */
  json: Record<string, string> = {},
): Promise<WidgetSite> {
  const server = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const make = pages[url.pathname];
    if (make) {
      const { html, csp } = make(url);
      return res.writeHead(200, { 'content-type': 'text/html', ...(csp ? { 'content-security-policy': csp } : {}) }).end(html);
    }
    if (url.pathname === '/faq.json') return res.writeHead(200, { 'content-type': 'application/json' }).end(faqJson);
    if (json[url.pathname]) return res.writeHead(200, { 'content-type': 'application/json' }).end(json[url.pathname]);
    if (url.pathname.startsWith('/parley/')) {
      const file = WIDGET_DIST + url.pathname.slice('/parley/'.length);
      if (!file.includes('..') && existsSync(file)) {
        return res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
      }
    }
    return res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export interface AgentDesk {
  parley: ParleyServer;
  /** `ws://…/ws/visitor` for the widget's `server` config. */
  visitorUrl: string;
  agent: ParleyClient;
  /** Queued conversation ids, in the order they were first seen. */
  queued: string[];
  messages: DeliveredMessage[];
  ratings: number[];
  /**
   * Another agent (its own socket) on the same site, e.g. with a hostile name. The record is written straight to
   * storage, so an avatar URL createAgent would refuse (`javascript:`) still reaches the widget: its own check is
   * what a suite tests, for rows stored before the server checked them or by another server.
   */
  connectAgent(input: { name: string; avatarUrl?: string }): Promise<ParleyClient>;
  /** Waits for a conversation to be queued after `known` of them were, accepts it and joins it. */
  acceptNext(known?: number): Promise<string>;
  close(): Promise<void>;
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** An in-memory @parley/server and an online agent named `name`. */
export async function startAgentDesk(name = 'Alice', options: Partial<Parameters<typeof createServer>[0]> = {}): Promise<AgentDesk> {
  const parley = createServer({ dbPath: ':memory:', logger: quiet, ...options });
  const { url } = await parley.listen(0, '127.0.0.1');
  const wsUrl = url.replace(/^http/, 'ws');
  const clients: ParleyClient[] = [];
  const connectAgent = async (input: { name: string; avatarUrl?: string }): Promise<ParleyClient> => {
    const token = `pat_${randomBytes(32).toString('base64url')}`;
    const siteId = (await parley.storage.getDefaultSite()).id;
    await parley.storage.createAgent({ siteId, name: input.name, tokenHash: hashAgentToken(token), ...(input.avatarUrl === undefined ? {} : { avatarUrl: input.avatarUrl }) });
    const client = createClient({ url: `${wsUrl}/ws/agent`, role: 'agent', WebSocket: WebSocket as never, getToken: () => token, storage: memoryStorage() });
    clients.push(client);
    await client.request({ type: 'agent.availability', availability: 'online' });
    return client;
  };
  const agent = await connectAgent({ name });
  const queued: string[] = [];
  const messages: DeliveredMessage[] = [];
  const ratings: number[] = [];
  agent.on('message', (m) => messages.push(m));
  agent.on('queue', (q) => {
    if (q.type === 'queue.snapshot') for (const e of q.entries) if (!queued.includes(e.conversationId)) queued.push(e.conversationId);
  });
  agent.on('rating', (r) => ratings.push(r.score));
  return {
    parley,
    visitorUrl: `${wsUrl}/ws/visitor`,
    agent,
    queued,
    messages,
    ratings,
    connectAgent,
    async acceptNext(known = 0) {
      const deadline = Date.now() + 15_000;
      while (queued.length <= known) {
        if (Date.now() > deadline) throw new Error('no conversation was queued within 15 s');
        await new Promise((r) => setTimeout(r, 25));
      }
      const conversationId = queued[known]!;
      await agent.request({ type: 'conversation.accept', conversationId });
      await agent.join(conversationId);
      return conversationId;
    },
    async close() {
      for (const c of clients) c.close();
      await parley.close({ graceMs: 0 });
    },
  };
}

/** Records page errors so a suite can assert there were none. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** A description of the focused element, looking through shadow roots: `tag#id.class "text"`, plus visibility. */
export interface FocusInfo {
  tag: string;
  id: string;
  className: string;
  text: string;
  label: string;
  isInWidget: boolean;
  /** Rendered, not `visibility: hidden`, at least 1×1 px, and no ancestor with `aria-hidden="true"`. */
  isVisible: boolean;
}

export function focusInfo(page: Page): Promise<FocusInfo | null> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    let isInWidget = false;
    while (el?.shadowRoot?.activeElement) {
      el = el.shadowRoot.activeElement;
      isInWidget = true;
    }
    if (!el || el === document.body) return null;
    const rect = el.getBoundingClientRect();
    let isAriaHidden = false;
    for (let n: Node | null = el; n; n = n instanceof ShadowRoot ? n.host : n.parentNode) {
      if (n instanceof Element && n.getAttribute('aria-hidden') === 'true') isAriaHidden = true;
    }
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      className: typeof el.className === 'string' ? el.className : '',
      text: (el.textContent ?? '').trim(),
      label: el.getAttribute('aria-label') ?? '',
      isInWidget,
      isVisible: el.checkVisibility({ visibilityProperty: true }) && rect.width >= 1 && rect.height >= 1 && !isAriaHidden,
    };
  });
}

export interface WidgetRig {
  desk: AgentDesk;
  site: WidgetSite;
  browser: Browser;
}

/**
 * The set-up most widget suites share: a real server with an agent desk, a host site serving `pages` (built once the
 * desk's visitor URL is known), and Chromium; torn down after the suite. Read the fields inside tests, not at import.
 */
export function useWidgetRig(
  skip: string | undefined,
  pages: (desk: AgentDesk) => Record<string, (url: URL) => SitePage>,
  /** Server options, read when the suite starts (after the suite's own earlier beforeAll hooks, e.g. an SMTP port). */
  deskOptions?: () => Partial<Parameters<typeof createServer>[0]>,
): WidgetRig {
  const rig = {} as WidgetRig;
  beforeAll(async () => {
    if (skip) return;
    rig.desk = await startAgentDesk('Alice', deskOptions?.());
    rig.site = await startWidgetSite(pages(rig.desk));
    rig.browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await rig.browser?.close();
    await rig.site?.close();
    await rig.desk?.close();
  });
  return rig;
}
