// The upgrade-time gate for /ws/*: per-IP handshake rate, no credentials in the URL, and which browser Origin may
// open which endpoint (visitors: an origin some site allows; agents: the console's own origin). Knows no frames.

import type { IncomingMessage } from 'node:http';
import type { ErrorCode, Role } from '@parley/protocol';
import { KeyedBuckets, type BucketRate } from './rate-limit.js';
import type { Storage } from './storage/storage.js';

/** Why an upgrade is refused: the HTTP status and a one-line body naming the code. */
export interface HandshakeRefusal {
  status: number;
  code: ErrorCode;
  text: string;
  headers?: Record<string, string>;
}

export interface HandshakeGateOptions {
  storage: Storage;
  /** Server-wide allow-list for visitor sockets, checked before the sites' own lists; `'*'` defers to the sites. */
  allowedOrigins: '*' | readonly string[];
  /**
   * Origins of consoles served elsewhere than this server. The console this server serves (same host) is always
   * allowed on `/ws/agent`; any other browser origin is refused there.
   */
  consoleOrigins: readonly string[];
  handshakes: BucketRate;
  /** Client addresses the per-IP handshake limit skips (load generators); see `rateExemptAddresses`. */
  exemptAddresses?: readonly string[];
  /** How long the union of the sites' origins is cached; site changes take effect within it. Default 5 s. */
  siteCacheMs?: number;
}

export interface HandshakeGate {
  /** Undefined when the upgrade may proceed. Spends one of the client IP's handshakes. */
  check(req: IncomingMessage, role: Role, nowMs: number): Promise<HandshakeRefusal | undefined>;
  /** Forgets refilled per-IP buckets. */
  sweep(nowMs: number): void;
}

/** Query parameters that look like credentials: tokens travel in `hello`, never in a URL (URLs end up in logs). */
const CREDENTIAL_PARAM = /token|secret|password|hmac|jwt|identity/i;

/** The client address rate limits are keyed by. `X-Forwarded-For` is not trusted (anyone can send it). */
export function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/** Refusal bodies name the code so a developer looking at the failed upgrade in devtools knows what to fix. */
function refuse(status: number, code: ErrorCode, why: string, headers?: Record<string, string>): HandshakeRefusal {
  return { status, code, text: `${code}: ${why}`, ...(headers === undefined ? {} : { headers }) };
}

/**
 * Builds the gate.
 * @example
 * const gate = createHandshakeGate({ storage, allowedOrigins: '*', consoleOrigins: [], handshakes: DEFAULT_RATES.handshakes });
 * const refusal = await gate.check(req, 'visitor', Date.now());
 */
export function createHandshakeGate(options: HandshakeGateOptions): HandshakeGate {
  const { storage, allowedOrigins, consoleOrigins } = options;
  const siteCacheMs = options.siteCacheMs ?? 5000;
  const perIp = new KeyedBuckets(options.handshakes);
  const exempt = new Set(options.exemptAddresses ?? []);
  let siteOrigins: { at: number; any: boolean; origins: Set<string> } | undefined;

  async function isSiteOrigin(origin: string, nowMs: number): Promise<boolean> {
    if (siteOrigins === undefined || nowMs - siteOrigins.at >= siteCacheMs) {
      const sites = await storage.listSites();
      const origins = new Set(sites.flatMap((site) => site.allowedOrigins));
      siteOrigins = { at: nowMs, any: origins.has('*'), origins };
    }
    return siteOrigins.any || siteOrigins.origins.has(origin);
  }

  /** The console served by this server shares its host: the browser's Origin names the Host it connected to. */
  function isSameHost(origin: string, req: IncomingMessage): boolean {
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  }

  return {
    async check(req, role, nowMs) {
      const address = clientAddress(req);
      if (!exempt.has(address) && !perIp.take(address, nowMs)) {
        return refuse(429, 'RATE_LIMITED', 'too many connections from this address; retry shortly', { 'Retry-After': '5' });
      }
      const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
      for (const name of query.keys()) {
        if (CREDENTIAL_PARAM.test(name)) return refuse(400, 'PROTOCOL_BAD_FRAME', 'credentials go in the hello frame, never in the URL');
      }
      const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
      // Without an Origin header the client is not a browser (Node, mobile apps), so no web page is driving it.
      if (origin === undefined) return undefined;
      if (role === 'agent') {
        if (consoleOrigins.includes(origin) || isSameHost(origin, req)) return undefined;
        return refuse(403, 'AUTH_ORIGIN_REFUSED', `the agent endpoint accepts only the console's origin, not ${origin}`);
      }
      if (allowedOrigins !== '*' && !allowedOrigins.includes(origin)) return refuse(403, 'AUTH_ORIGIN_REFUSED', `origin ${origin} is not allowed`);
      if (await isSiteOrigin(origin, nowMs)) return undefined;
      return refuse(403, 'AUTH_ORIGIN_REFUSED', `origin ${origin} is not allowed by any site`);
    },
    sweep(nowMs) {
      perIp.sweep(nowMs);
    },
  };
}
