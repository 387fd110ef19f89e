// The upgrade-time gate for /ws/*: per-IP handshake rate, no credentials in the URL, and which browser Origin may
// open which endpoint (visitors: an origin some site allows; agents: the console's own origin). Knows no frames.

import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { ErrorCode, Role } from '@parley/protocol';
import { KeyedBuckets, type BucketRate } from './rate-limit.js';
import type { Storage } from './storage/storage.js';
import { clientAddress } from './client-address.js';

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
  /** Most sockets open at once from one address (IPv6: one /64). Default `DEFAULT_MAX_CONNECTIONS_PER_ADDRESS`. */
  maxConnectionsPerAddress?: number;
  /** How long the union of the sites' origins is cached; site changes take effect within it. Default 5 s. */
  siteCacheMs?: number;
}

export interface HandshakeGate {
  /** Undefined when the upgrade may proceed. Spends one of the client IP's handshakes. */
  check(req: IncomingMessage, role: Role, nowMs: number): Promise<HandshakeRefusal | undefined>;
  /** Forgets refilled per-IP buckets. */
  sweep(nowMs: number): void;
  /** Counts a socket accepted from `address` until `closed(address)`. */
  opened(address: string): void;
  closed(address: string): void;
}

/** Enough for a large office or a carrier NAT full of shoppers; far below what exhausts a node's file descriptors. */
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 500;

/** Query parameters that look like credentials: tokens travel in `hello`, never in a URL (URLs end up in logs). */
const CREDENTIAL_PARAM = /token|secret|password|hmac|jwt|identity/i;

// The client address rate limits are keyed by (X-Forwarded-For only as far as `trustProxy` says).
export { clientAddress };

/**
 * The bucket key for an address: IPv4 as is (also when IPv4-mapped, `::ffff:1.2.3.4`), IPv6 by its /64, because one
 * subscriber usually gets a whole /64 and could otherwise take a fresh address, and a fresh bucket, per request.
 */
export function rateKeyFor(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) return mapped[1]!;
  if (isIP(address) !== 6) return address;
  const [head = '', tail = ''] = address.split('%')[0]!.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
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
  const maxOpen = options.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
  const open = new Map<string, number>();
  interface SiteOrigins {
    at: number;
    any: boolean;
    origins: Set<string>;
  }
  let siteOrigins: SiteOrigins | undefined;
  // One reload at a time: a burst of upgrades after the cache expires shares a single query.
  let reloading: Promise<SiteOrigins> | undefined;

  async function isSiteOrigin(origin: string, nowMs: number): Promise<boolean> {
    let current = siteOrigins;
    if (current === undefined || nowMs - current.at >= siteCacheMs) {
      reloading ??= storage
        .listSites()
        .then((sites) => {
          const origins = new Set(sites.flatMap((site) => site.allowedOrigins));
          return (siteOrigins = { at: nowMs, any: origins.has('*'), origins });
        })
        .finally(() => (reloading = undefined));
      current = await reloading;
    }
    return current.any || current.origins.has(origin);
  }

  /** The console served by this server shares its host: the browser's Origin names the Host it connected to. */
  function isSameHost(origin: string, req: IncomingMessage): boolean {
    try {
      return new URL(origin).host === req.headers.host?.toLowerCase();
    } catch {
      return false;
    }
  }

  return {
    async check(req, role, nowMs) {
      const address = clientAddress(req);
      if (!exempt.has(address) && !perIp.take(rateKeyFor(address), nowMs)) {
        return refuse(429, 'RATE_LIMITED', 'too many connections from this address; retry shortly', { 'Retry-After': '5' });
      }
      if (!exempt.has(address) && (open.get(rateKeyFor(address)) ?? 0) >= maxOpen) {
        return refuse(429, 'RATE_LIMITED', 'too many open connections from this address', { 'Retry-After': '30' });
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
    opened(address) {
      const key = rateKeyFor(address);
      open.set(key, (open.get(key) ?? 0) + 1);
    },
    closed(address) {
      const key = rateKeyFor(address);
      const count = (open.get(key) ?? 0) - 1;
      if (count > 0) open.set(key, count);
      else open.delete(key);
    },
  };
}
