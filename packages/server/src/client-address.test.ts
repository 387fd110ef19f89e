import { createServer, request, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParleyError } from '@parley/protocol';
import { createAddressResolver, parseTrustProxy, type TrustProxy } from './client-address.js';
import { createJsonLogger } from './logger.js';
import { createServer as createParleyServer } from './server.js';

// A real HTTP server answers with the address each resolver sees for the request it got, so the resolver reads
// real sockets and real header parsing (repeated headers included).
let resolvers: Map<string, (req: IncomingMessage) => string>;
let port: number;
const server = createServer((req, res) => {
  const resolve = resolvers.get(String(req.headers['x-trust']))!;
  res.end(resolve(req));
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function seen(trust: TrustProxy | undefined, forwarded?: string | string[]): Promise<string> {
  const key = JSON.stringify(trust ?? null);
  resolvers ??= new Map();
  resolvers.set(key, createAddressResolver(trust));
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = { 'x-trust': key };
    if (forwarded !== undefined) headers['x-forwarded-for'] = forwarded;
    const req = request({ host: '127.0.0.1', port, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('createAddressResolver', () => {
  it('ignores X-Forwarded-For unless told to trust proxies', async () => {
    expect(await seen(undefined, '1.2.3.4')).toBe('127.0.0.1');
    expect(await seen(0, '1.2.3.4')).toBe('127.0.0.1');
    expect(await seen([], '1.2.3.4')).toBe('127.0.0.1');
  });

  it('with a hop count takes the entry that many places from the peer, which a client cannot forge', async () => {
    expect(await seen(1, '1.2.3.4')).toBe('1.2.3.4');
    expect(await seen(1, '6.6.6.6, 1.2.3.4')).toBe('1.2.3.4');
    expect(await seen(2, '6.6.6.6, 1.2.3.4, 10.0.0.2')).toBe('1.2.3.4');
    // Repeated headers are one list, in order.
    expect(await seen(2, ['6.6.6.6, 1.2.3.4', '10.0.0.2'])).toBe('1.2.3.4');
    // Fewer entries than hops: the leftmost there is. No header: the peer.
    expect(await seen(3, '1.2.3.4')).toBe('1.2.3.4');
    expect(await seen(1)).toBe('127.0.0.1');
  });

  it('with proxy addresses walks left past trusted ones only', async () => {
    const trust = ['127.0.0.1', '10.0.0.0/8', 'fd00::/8'];
    expect(await seen(trust, '6.6.6.6, 1.2.3.4, 10.1.1.1, fd00::1')).toBe('1.2.3.4');
    expect(await seen(trust, '10.1.1.1')).toBe('10.1.1.1');
    // Ports and brackets are dropped; an IPv6 client stays IPv6.
    expect(await seen(trust, '1.2.3.4:5678')).toBe('1.2.3.4');
    expect(await seen(trust, '[2001:db8::7]:443')).toBe('2001:db8::7');
    // A peer that is not a trusted proxy is the client, whatever it forwards.
    expect(await seen(['10.0.0.1'], '1.2.3.4')).toBe('127.0.0.1');
  });

  it('stops at an entry that is not an address instead of believing what is left of it', async () => {
    expect(await seen(2, '1.2.3.4, not-an-ip')).toBe('127.0.0.1');
    expect(await seen(['127.0.0.1', '10.0.0.0/8'], '1.2.3.4, garbage, 10.0.0.9')).toBe('10.0.0.9');
  });
});

describe('parseTrustProxy', () => {
  it('reads a hop count or a list, and refuses anything else with CONFIG_INVALID', () => {
    expect(parseTrustProxy('1')).toBe(1);
    expect(parseTrustProxy(' 10.0.0.0/8, ::1 ')).toEqual(['10.0.0.0/8', '::1']);
    for (const bad of ['11', 'proxy.example', '10.0.0.0/33', '1.2.3.4/8/9', '-1', '1.5']) {
      expect(() => parseTrustProxy(bad), bad).toThrow(ParleyError);
    }
  });
});

describe('createServer with trustProxy', () => {
  /** The events a server logs while it is built, through the real JSON logger. */
  async function startupEvents(trustProxy: TrustProxy | undefined): Promise<Array<{ level: string; event: string }>> {
    const lines: string[] = [];
    const parley = createParleyServer({ secret: 's'.repeat(40), logger: createJsonLogger({ level: 'info', write: (line) => lines.push(line) }), ...(trustProxy === undefined ? {} : { trustProxy }) });
    await parley.close({ graceMs: 0 });
    return lines.map((line) => JSON.parse(line) as { level: string; event: string });
  }

  it('warns at start when X-Forwarded-For is believed from any peer (a hop count), not for a list of proxies', async () => {
    expect(await startupEvents(1)).toContainEqual(expect.objectContaining({ level: 'warn', event: 'config.trust_proxy_hops', hops: 1 }));
    for (const trust of [['10.0.0.0/8', '::1'], 0, undefined] as const) {
      expect((await startupEvents(trust)).map((e) => e.event), JSON.stringify(trust)).not.toContain('config.trust_proxy_hops');
    }
  });
});
