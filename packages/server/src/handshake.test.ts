import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createHandshakeGate, rateKeyFor } from './handshake.js';
import { createSqliteStorage } from './storage/sqlite.js';
import type { Storage } from './storage/storage.js';

describe('rateKeyFor', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:127.0.0.1', '127.0.0.1'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['unknown', 'unknown'],
  ])('%s → %s', (address, key) => {
    expect(rateKeyFor(address)).toBe(key);
  });

  it('gives every address of one /64 the same key', () => {
    expect(rateKeyFor('2001:db8:1:2::a')).toBe(rateKeyFor('2001:db8:1:2:ffff::b'));
    expect(rateKeyFor('2001:db8:1:3::a')).not.toBe(rateKeyFor('2001:db8:1:2::a'));
  });
});

describe('createHandshakeGate', () => {
  function request(origin: string | undefined, url = '/ws/visitor', address = '203.0.113.9'): IncomingMessage {
    const socket = new Socket();
    Object.defineProperty(socket, 'remoteAddress', { value: address });
    const req = new IncomingMessage(socket);
    req.url = url;
    req.headers = { host: 'chat.example', ...(origin === undefined ? {} : { origin }) };
    return req;
  }

  it('sees site changes once the cache window has passed, and reloads once for a burst', async () => {
    const storage = createSqliteStorage({ path: ':memory:' });
    const demo = await storage.getDefaultSite();
    await storage.updateSite(demo.id, { allowedOrigins: ['https://a.example'] });
    let loads = 0;
    const counted: Storage = { ...storage, listSites: () => (loads++, storage.listSites()) };
    const gate = createHandshakeGate({ storage: counted, allowedOrigins: '*', consoleOrigins: [], handshakes: { perSecond: 100, burst: 100 }, siteCacheMs: 1000 });
    const burst = await Promise.all([1, 2, 3, 4, 5].map(() => gate.check(request('https://a.example'), 'visitor', 0)));
    expect(burst).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(loads).toBe(1);
    await storage.updateSite(demo.id, { allowedOrigins: ['https://b.example'] });
    expect(await gate.check(request('https://b.example'), 'visitor', 999)).toMatchObject({ status: 403 });
    expect(await gate.check(request('https://b.example'), 'visitor', 1000)).toBeUndefined();
    expect(await gate.check(request('https://a.example'), 'visitor', 1001)).toMatchObject({ status: 403, code: 'AUTH_ORIGIN_REFUSED' });
    expect(loads).toBe(2);
    await storage.close();
  });

  it('accepts the same-host console whatever the case of Host, and refuses other origins on /ws/agent', async () => {
    const storage = createSqliteStorage({ path: ':memory:' });
    const gate = createHandshakeGate({ storage, allowedOrigins: '*', consoleOrigins: [], handshakes: { perSecond: 100, burst: 100 } });
    const upper = request('https://chat.example', '/ws/agent');
    upper.headers.host = 'CHAT.example';
    expect(await gate.check(upper, 'agent', 0)).toBeUndefined();
    expect(await gate.check(request('https://chat.example.evil.test', '/ws/agent'), 'agent', 0)).toMatchObject({ status: 403 });
    expect(await gate.check(request('not a url', '/ws/agent'), 'agent', 0)).toMatchObject({ status: 403 });
    await storage.close();
  });
});
