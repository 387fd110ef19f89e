// Which address a request comes from, for the per-IP limits and the logs. Behind a reverse proxy the socket's peer
// is the proxy, so every visitor would share its budget; `trustProxy` says which X-Forwarded-For entries to believe.
// Off by default: anyone can send the header, and believing it lets a client pick a fresh address per request.

import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { ParleyError } from '@parley/protocol';

/**
 * How many proxies stand in front of this server (each appends the address it saw to X-Forwarded-For), or the
 * addresses / CIDR ranges of the proxies to trust.
 */
export type TrustProxy = number | readonly string[];

/** More entries than any real proxy chain has; a longer header is cut to its last entries (the trusted end). */
const MAX_FORWARDED_ENTRIES = 32;
export const MAX_PROXY_HOPS = 10;

/** `::ffff:1.2.3.4` → `1.2.3.4`, so one client has one name whichever way the socket saw it. */
function canonical(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** An X-Forwarded-For entry as an address: `1.2.3.4`, `1.2.3.4:5678`, `::1`, `[::1]:80`; undefined otherwise. */
function parseEntry(entry: string): string | undefined {
  let text = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed !== null) text = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/.test(text)) text = text.slice(0, text.lastIndexOf(':'));
  return isIP(text) === 0 ? undefined : canonical(text);
}

/** Validates a trustProxy setting; throws CONFIG_INVALID. */
export function validateTrustProxy(trust: TrustProxy): void {
  if (typeof trust === 'number') {
    if (!Number.isInteger(trust) || trust < 0 || trust > MAX_PROXY_HOPS) {
      throw new ParleyError('CONFIG_INVALID', `trustProxy must be a hop count from 0 to ${MAX_PROXY_HOPS}, or a list of proxy addresses`);
    }
    return;
  }
  for (const item of trust) proxyRule(item);
}

function proxyRule(item: string): { address: string; prefix?: number } {
  const [address, prefixText, extra] = item.trim().split('/');
  const family = isIP(address ?? '');
  const prefix = prefixText === undefined ? undefined : Number(prefixText);
  const isPrefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefixText!) && prefix <= (family === 6 ? 128 : 32));
  if (family === 0 || extra !== undefined || !isPrefixOk) {
    throw new ParleyError('CONFIG_INVALID', `trustProxy: "${item}" is not an IP address or CIDR range (10.0.0.0/8, ::1)`);
  }
  return { address: canonical(address!), ...(prefix === undefined ? {} : { prefix }) };
}

/** Parses `--trust-proxy` / `PARLEY_TRUST_PROXY`: a hop count (`1`) or a comma-separated list of addresses / ranges. */
export function parseTrustProxy(text: string): TrustProxy {
  const trimmed = text.trim();
  const trust: TrustProxy = /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed.split(',').map((s) => s.trim()).filter((s) => s !== '');
  validateTrustProxy(trust);
  return trust;
}

/**
 * A function from request to client address. Without trustProxy (or with 0 / an empty list): the socket's peer. With
 * a hop count n: the entry n places from the right of X-Forwarded-For followed by the peer (the rightmost n
 * addresses are the proxies', which a client cannot forge). With addresses: walking from the peer leftwards, the
 * first address that is not a trusted proxy. An unparsable entry ends the walk at the last address before it.
 */
export function createAddressResolver(trust: TrustProxy | undefined): (req: IncomingMessage) => string {
  // The peer as the socket shows it (`::ffff:1.2.3.4` included), as rateExemptAddresses expects it.
  const peer = (req: IncomingMessage) => req.socket.remoteAddress ?? 'unknown';
  if (trust === undefined || trust === 0 || (Array.isArray(trust) && trust.length === 0)) return peer;
  validateTrustProxy(trust);
  let isTrusted: (address: string) => boolean;
  if (typeof trust === 'number') isTrusted = () => true;
  else {
    const list = new BlockList();
    for (const item of trust) {
      const rule = proxyRule(item);
      const family = isIP(rule.address) === 6 ? 'ipv6' : 'ipv4';
      if (rule.prefix === undefined) list.addAddress(rule.address, family);
      else list.addSubnet(rule.address, rule.prefix, family);
    }
    isTrusted = (address) => {
      const name = canonical(address);
      return list.check(name, isIP(name) === 6 ? 'ipv6' : 'ipv4');
    };
  }
  const hops = typeof trust === 'number' ? trust : Infinity;
  return (req) => {
    let address = peer(req);
    const header = req.headers['x-forwarded-for'];
    if (header === undefined || isIP(address) === 0) return address;
    const entries = (Array.isArray(header) ? header.join(',') : header).split(',').slice(-MAX_FORWARDED_ENTRIES);
    for (let hop = 0; hop < hops && isTrusted(address); hop++) {
      const entry = entries.pop();
      const next = entry === undefined ? undefined : parseEntry(entry);
      if (next === undefined) break;
      address = next;
    }
    return address;
  };
}

const resolved = new WeakMap<IncomingMessage, string>();

/** Resolves a request's client address once, where it enters the server; clientAddress(req) reads it later. */
export function rememberClientAddress(req: IncomingMessage, resolve: (req: IncomingMessage) => string): string {
  const address = resolve(req);
  resolved.set(req, address);
  return address;
}

/** The client address per-IP limits are keyed by: the remembered one, else the socket's peer. */
export function clientAddress(req: IncomingMessage): string {
  return resolved.get(req) ?? req.socket.remoteAddress ?? 'unknown';
}
