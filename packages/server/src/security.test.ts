// Issue 3's security guarantees over a real server and real WebSockets: conversation isolation (a table of attacks),
// origin checks at the handshake, shopper identity, rate limits, the unauthenticated timeout and revocation.

import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type ServerFrame } from '@parley/protocol';
import type { Fanout } from './fanout/fanout.js';
import { createMemoryFanout } from './fanout/memory.js';
import { createRedisFanout } from './fanout/redis.js';
import { signIdentity } from './identity.js';
import { createJsonLogger } from './logger.js';
import { createServer, type CreateServerOptions, type ParleyServer } from './server.js';
import { createSqliteStorage } from './storage/sqlite.js';
import type { Site, Storage } from './storage/storage.js';
import { connectAgent, connectClient, type TestClient } from './test-client.js';
import { createVisitorTokens } from './token.js';

const secret = 's'.repeat(40);
const identitySecret = 'i'.repeat(40);
const silent = createJsonLogger({ level: 'silent' });
const SHOP = 'https://shop.example';
const OTHER_SHOP = 'https://other.example';
const SECURE_SHOP = 'https://secure.example';

let storage: Storage;
let sites: { demo: Site; other: Site; secure: Site };
const servers: ParleyServer[] = [];
const clients: TestClient[] = [];

beforeEach(async () => {
  storage = createSqliteStorage({ path: ':memory:' });
  const demo = (await storage.updateSite((await storage.getDefaultSite()).id, { allowedOrigins: [SHOP] }))!;
  const other = await storage.createSite({ key: 'other', allowedOrigins: [OTHER_SHOP] });
  const secure = await storage.createSite({ key: 'secure', allowedOrigins: [SECURE_SHOP], identitySecret, requiresIdentity: true });
  sites = { demo, other, secure };
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 100 })));
  await storage.close();
});

async function start(options: CreateServerOptions = {}) {
  const server = createServer({ secret, logger: silent, storage, ...options });
  servers.push(server);
  const { url } = await server.listen(0, '127.0.0.1');
  return { server, url };
}

async function raw(url: string, path: string, headers: Record<string, string> = {}) {
  const client = await connectClient(url, path, headers);
  clients.push(client);
  return client;
}

/** Browsers send the page's origin; each test site allows its own shop's. */
const originFor = (siteKey: unknown): string => (siteKey === 'other' ? OTHER_SHOP : siteKey === 'secure' ? SECURE_SHOP : SHOP);

async function visitor(url: string, hello: Record<string, unknown> = {}, headers: Record<string, string> = { origin: originFor(hello.siteKey) }) {
  const client = await raw(url, '/ws/visitor', headers);
  const welcome = await client.request({ type: 'hello', v: PROTOCOL_VERSION, role: 'visitor', ...hello });
  if (welcome.type !== 'welcome') throw new Error(`hello failed: ${JSON.stringify(welcome)}`);
  return { client, welcome };
}

async function agent(url: string, token: string) {
  const a = await connectAgent(url, token);
  clients.push(a.client);
  return a;
}

/** The upgrade's HTTP answer when it is refused: status and body. */
async function upgradeRefusal(url: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; retryAfter?: string }> {
  const { WebSocket } = await import('ws');
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}${path}`, { headers });
    ws.on('open', () => {
      ws.close();
      reject(new Error('the upgrade was accepted'));
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ...(res.headers['retry-after'] === undefined ? {} : { retryAfter: String(res.headers['retry-after']) }) }));
    });
    ws.on('error', () => undefined);
  });
}

const hello = (fields: Record<string, unknown> = {}) => ({ type: 'hello', v: PROTOCOL_VERSION, role: 'visitor', ...fields });

describe('conversation isolation', () => {
  it('refuses every attempt on another conversation without returning a byte of it', async () => {
    const { server, url } = await start();
    const secretText = `victim-secret-${randomUUID()}`;
    const agentSecret = `agent-secret-${randomUUID()}`;

    // The victim: a visitor on the demo site with conversation X, handed off to agent Alice, who answered.
    const { client: victim, welcome: victimWelcome } = await visitor(url);
    const victimToken = victimWelcome.type === 'welcome' ? victimWelcome.token! : '';
    const victimId = victimWelcome.subjectId;
    const joined = await victim.request({ type: 'conversation.start', clientId: 'start-x' });
    if (joined.type !== 'conversation.joined') throw new Error(JSON.stringify(joined));
    const x = joined.conversation.id;
    expect(await victim.request({ type: 'message.send', conversationId: x, clientId: 'm1', text: secretText })).toMatchObject({ type: 'message.ack' });
    const alice = await server.createAgent({ name: 'Alice' });
    const bob = await server.createAgent({ name: 'Bob' });
    const stranger = await server.createAgent({ name: 'Stranger', siteKey: 'other' });
    const revoked = await server.createAgent({ name: 'Gone' });
    await server.revokeAgent(revoked.agent.id);
    const { client: aliceClient } = await agent(url, alice.token);
    expect(await victim.request({ type: 'conversation.escalate', conversationId: x, reason: 'requested', transcript: [] })).toMatchObject({ status: 'queued' });
    expect(await aliceClient.request({ type: 'conversation.accept', conversationId: x })).toMatchObject({ type: 'conversation.assigned' });
    await aliceClient.request({ type: 'conversation.join', conversationId: x, afterSeq: 0 });
    expect(await aliceClient.request({ type: 'message.send', conversationId: x, clientId: 'a1', text: agentSecret })).toMatchObject({ type: 'message.ack' });
    const before = await storage.listMessages({ conversationId: x, afterSeq: 0, limit: 100 });

    // Attackers' credentials.
    const { welcome: mallory } = await visitor(url);
    const malloryToken = mallory.type === 'welcome' ? mallory.token! : '';
    const { welcome: otherSiteVisitor } = await visitor(url, { siteKey: 'other' });
    const otherSiteToken = otherSiteVisitor.type === 'welcome' ? otherSiteVisitor.token! : '';
    const expiredToken = createVisitorTokens({ secret, ttlMs: 60_000, now: () => Date.now() - 120_000 }).sign(victimId).token;
    const foreignSecretToken = createVisitorTokens({ secret: 'x'.repeat(40) }).sign(victimId).token;
    // Mallory's valid signature under the victim's claims: the signature no longer matches the payload.
    const victimPayload = victimToken.split('.')[0]!;
    const spliced = `${victimPayload}.${malloryToken.split('.')[1]!}`;

    const guessedIds = [`c_${randomUUID()}`, `${x.slice(0, -1)}${x.endsWith('0') ? '1' : '0'}`, x.toUpperCase(), 'c_1', `${x} `];
    const asVisitor = (token: string, extra: Record<string, unknown> = {}) => ({
      path: '/ws/visitor',
      headers: { origin: originFor(extra.siteKey) },
      hello: hello({ token, ...extra }),
    });
    const asAgent = (token: string) => ({ path: '/ws/agent', hello: { type: 'hello', v: PROTOCOL_VERSION, role: 'agent', token } });
    const on = (conversationId: string) => [
      { type: 'history.get', conversationId },
      { type: 'conversation.join', conversationId, afterSeq: 0 },
      { type: 'message.send', conversationId, clientId: `evil-${randomUUID()}`, text: 'injected' },
      { type: 'typing', conversationId, isTyping: true },
      { type: 'read', conversationId, upToSeq: 2 },
      { type: 'rating.submit', conversationId, score: 1 },
      { type: 'conversation.close', conversationId },
      { type: 'visitor.page', conversationId, url: 'https://evil.example/' },
      { type: 'conversation.escalate', conversationId, reason: 'requested', transcript: [] },
    ];
    const agentFrames = (conversationId: string) => [
      { type: 'history.get', conversationId },
      { type: 'conversation.join', conversationId, afterSeq: 0 },
      { type: 'message.send', conversationId, clientId: `evil-${randomUUID()}`, text: 'injected' },
      { type: 'typing', conversationId, isTyping: true },
      { type: 'read', conversationId, upToSeq: 2 },
      { type: 'conversation.accept', conversationId },
      { type: 'conversation.close', conversationId },
    ];

    interface Attack {
      name: string;
      path: string;
      headers?: Record<string, string>;
      hello: Record<string, unknown>;
      frames: Array<Record<string, unknown>>;
      /** Every reply must be an error with this code. */
      code: string;
      /** The handshake itself is refused and the socket closed with this code. */
      closes?: number;
    }
    const attacks: Attack[] = [
      { name: "another visitor's own token", ...asVisitor(malloryToken), frames: on(x), code: 'CONVERSATION_NOT_FOUND' },
      ...guessedIds.map((id) => ({ name: `guessed id ${JSON.stringify(id)}`, ...asVisitor(malloryToken), frames: on(id), code: 'CONVERSATION_NOT_FOUND' })),
      { name: 'hello.resume of the conversation', ...asVisitor(malloryToken, { resume: [{ conversationId: x, afterSeq: 0 }] }), frames: [], code: 'CONVERSATION_NOT_FOUND' },
      { name: "a visitor of another site", ...asVisitor(otherSiteToken, { siteKey: 'other' }), frames: on(x), code: 'CONVERSATION_NOT_FOUND' },
      { name: "the victim's token under another site's key", ...asVisitor(victimToken, { siteKey: 'other' }), frames: [], code: 'AUTH_INVALID_TOKEN', closes: 4001 },
      { name: "the victim's token, expired", ...asVisitor(expiredToken), frames: [], code: 'AUTH_EXPIRED_TOKEN', closes: 4001 },
      { name: 'a token for the victim signed by another secret', ...asVisitor(foreignSecretToken), frames: [], code: 'AUTH_INVALID_TOKEN', closes: 4001 },
      { name: "the victim's claims with another token's signature", ...asVisitor(spliced), frames: [], code: 'AUTH_INVALID_TOKEN', closes: 4001 },
      { name: "the victim's visitor token on the agent endpoint", ...asAgent(victimToken), frames: [], code: 'AUTH_INVALID_TOKEN', closes: 4001 },
      { name: 'a made-up agent token', ...asAgent(`pat_${randomUUID()}`), frames: [], code: 'AUTH_INVALID_TOKEN', closes: 4001 },
      { name: 'a revoked agent token', ...asAgent(revoked.token), frames: [], code: 'AUTH_INVALID_TOKEN', closes: 4001 },
      { name: 'an agent of another site', ...asAgent(stranger.token), frames: agentFrames(x), code: 'CONVERSATION_NOT_FOUND' },
      {
        name: 'a colleague who does not own it (accept, close)',
        ...asAgent(bob.token),
        frames: [{ type: 'conversation.accept', conversationId: x }, { type: 'conversation.close', conversationId: x }],
        code: 'AUTH_FORBIDDEN',
      },
      { name: 'frames before hello', path: '/ws/visitor', headers: { origin: SHOP }, hello: { type: 'history.get', conversationId: x }, frames: on(x).slice(0, 3), code: 'PROTOCOL_NOT_AUTHENTICATED' },
    ];
    expect(attacks.length).toBeGreaterThanOrEqual(12);

    for (const attack of attacks) {
      const attacker = await raw(url, attack.path, attack.headers);
      const answers: ServerFrame[] = [await attacker.request(attack.hello)];
      if (attack.closes !== undefined) {
        expect((await attacker.closed).code, attack.name).toBe(attack.closes);
      } else {
        if (attack.hello.type === 'hello') expect(answers[0]!.type, attack.name).toBe('welcome');
        if (Array.isArray(attack.hello.resume)) answers.push(await attacker.next((f) => f.type === 'error'));
        for (const frame of attack.frames) answers.push(await attacker.request(frame));
      }
      const replies = attack.hello.type === 'hello' && attack.closes === undefined ? answers.slice(1) : answers;
      expect(replies.length, attack.name).toBeGreaterThan(0);
      for (const reply of replies) expect(reply, `${attack.name}: ${JSON.stringify(reply)}`).toMatchObject({ type: 'error', code: attack.code });
      // Not one byte of X: neither its messages nor who is in it, in anything this attacker received.
      const seen = JSON.stringify(attacker.frames);
      expect(seen, attack.name).not.toContain(secretText);
      expect(seen, attack.name).not.toContain(agentSecret);
      expect(seen, attack.name).not.toContain(victimId);
      expect(attacker.frames.some((f) => f.type === 'message.new' || f.type === 'history.page' || f.type === 'conversation.joined'), attack.name).toBe(false);
      attacker.close();
    }

    // X is untouched, and its members heard nothing from the attackers.
    expect(await storage.listMessages({ conversationId: x, afterSeq: 0, limit: 100 })).toEqual(before);
    expect(await storage.getConversation(x)).toMatchObject({ status: 'assigned', agent: { id: alice.agent.id } });
    expect((await storage.getConversationDetail(x))!.rating).toBeUndefined();
    expect((await storage.getConversationDetail(x))!.pages).toEqual([]);
    const heard = [...victim.frames, ...aliceClient.frames];
    expect(heard.some((f) => f.type === 'typing.update' || f.type === 'read.update' || f.type === 'rating.created' || f.type === 'conversation.closed')).toBe(false);
    expect(JSON.stringify(heard)).not.toContain('injected');
  });
});

describe('origins at the handshake', () => {
  it('refuses foreign origins on the visitor endpoint with 403 AUTH_ORIGIN_REFUSED and lets site origins and non-browsers in', async () => {
    const { url } = await start();
    expect(await upgradeRefusal(url, '/ws/visitor', { origin: 'https://evil.example' })).toMatchObject({ status: 403, body: expect.stringContaining('AUTH_ORIGIN_REFUSED') });
    await raw(url, '/ws/visitor', { origin: SHOP });
    await raw(url, '/ws/visitor', { origin: OTHER_SHOP });
    await raw(url, '/ws/visitor');
    // An origin some site allows still cannot open another site's session: refused in hello, closed 4001.
    const crossSite = await raw(url, '/ws/visitor', { origin: OTHER_SHOP });
    expect(await crossSite.request(hello())).toMatchObject({ type: 'error', code: 'AUTH_ORIGIN_REFUSED' });
    expect((await crossSite.closed).code).toBe(4001);
    const own = await raw(url, '/ws/visitor', { origin: OTHER_SHOP });
    expect(await own.request(hello({ siteKey: 'other' }))).toMatchObject({ type: 'welcome' });
  });

  it('lets only the console origin open the agent endpoint', async () => {
    const { server, url } = await start({ consoleOrigins: ['https://console.example'] });
    const { token } = await server.createAgent({ name: 'Alice' });
    for (const origin of [SHOP, 'https://evil.example', 'null']) {
      const refusal = await upgradeRefusal(url, '/ws/agent', { origin });
      expect(refusal.status, origin).toBe(403);
      expect(refusal.body, origin).toContain('AUTH_ORIGIN_REFUSED');
    }
    // The console served by this server (same origin), a configured console origin, and non-browser clients.
    const consoles: Array<Record<string, string>> = [{ origin: url }, { origin: 'https://console.example' }, {}];
    for (const headers of consoles) {
      const client = await raw(url, '/ws/agent', headers);
      expect(await client.request({ type: 'hello', v: PROTOCOL_VERSION, role: 'agent', token })).toMatchObject({ type: 'welcome' });
    }
  });

  it('refuses credentials in the URL', async () => {
    const { url } = await start();
    for (const query of ['?token=abc', '?access_token=abc', '?jwt=abc']) {
      const refusal = await upgradeRefusal(url, `/ws/visitor${query}`);
      expect(refusal.status, query).toBe(400);
      expect(refusal.body).toContain('never in the URL');
    }
  });
});

describe('shopper identity', () => {
  const jwt = (claims: { sub?: string; expInS?: number; iatOffsetS?: number }, key = identitySecret, alg = 'HS256') => {
    const nowS = Math.floor(Date.now() / 1000);
    const builder = new SignJWT({}).setProtectedHeader({ alg }).setIssuedAt(nowS + (claims.iatOffsetS ?? 0));
    if (claims.sub !== undefined) builder.setSubject(claims.sub);
    if (claims.expInS !== undefined) builder.setExpirationTime(nowS + claims.expInS);
    return builder.sign(Buffer.from(key, 'utf8'));
  };

  it('binds a verified user to one visitor across devices, by HMAC or JWT', async () => {
    const { url } = await start();
    const laptop = await visitor(url, { siteKey: 'secure', identity: { userId: 'user-42', hmac: signIdentity(identitySecret, 'user-42') } }, { origin: SECURE_SHOP });
    const conversation = await laptop.client.request({ type: 'conversation.start', clientId: 'k1' });
    if (conversation.type !== 'conversation.joined') throw new Error(JSON.stringify(conversation));
    await laptop.client.request({ type: 'message.send', conversationId: conversation.conversation.id, clientId: 'm1', text: 'my order' });
    // A phone with no Parley token, only the site's JWT for the same user: same visitor, same history.
    const phone = await visitor(url, { siteKey: 'secure', identity: { jwt: await jwt({ sub: 'user-42', expInS: 300 }) } }, { origin: SECURE_SHOP });
    expect(phone.welcome.subjectId).toBe(laptop.welcome.subjectId);
    const page = await phone.client.request({ type: 'history.get', conversationId: conversation.conversation.id });
    expect(page).toMatchObject({ type: 'history.page', messages: [{ text: 'my order' }] });
    // Someone holding the laptop's Parley token but proving another user gets that user's own visitor, not this one.
    const laptopToken = laptop.welcome.type === 'welcome' ? laptop.welcome.token! : '';
    const other = await visitor(url, { siteKey: 'secure', token: laptopToken, identity: { userId: 'user-7', hmac: signIdentity(identitySecret, 'user-7') } }, { origin: SECURE_SHOP });
    expect(other.welcome.subjectId).not.toBe(laptop.welcome.subjectId);
    expect(await other.client.request({ type: 'history.get', conversationId: conversation.conversation.id })).toMatchObject({ code: 'CONVERSATION_NOT_FOUND' });
  });

  it("shows agents the verified user id from the session, never one a visitor claims in its profile", async () => {
    const { url } = await start();
    const escalate = async (client: TestClient, key: string) => {
      const started = await client.request({ type: 'conversation.start', clientId: key });
      if (started.type !== 'conversation.joined') throw new Error(JSON.stringify(started));
      const profile = { name: 'Jo', verifiedUserId: 'admin' } as never;
      await client.request({ type: 'conversation.escalate', conversationId: started.conversation.id, reason: 'requested', transcript: [], profile });
      return (await storage.getConversation(started.conversation.id))!.profile;
    };
    const verified = await visitor(url, { siteKey: 'secure', identity: { userId: 'user-42', hmac: signIdentity(identitySecret, 'user-42') } }, { origin: SECURE_SHOP });
    expect(await escalate(verified.client, 'v1')).toEqual({ name: 'Jo', verifiedUserId: 'user-42' });
    const anonymous = await visitor(url, {}, { origin: SHOP });
    expect(await escalate(anonymous.client, 'a1')).toEqual({ name: 'Jo' });
  });

  it('refuses hello without a valid identity when the site requires one, so no action is possible', async () => {
    const { url } = await start();
    const { welcome } = await visitor(url, { siteKey: 'secure', identity: { userId: 'user-1', hmac: signIdentity(identitySecret, 'user-1') } }, { origin: SECURE_SHOP });
    const token = welcome.type === 'welcome' ? welcome.token! : '';
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['no identity', {}, 'AUTH_IDENTITY_REQUIRED'],
      ["a bound visitor's token alone", { token }, 'AUTH_IDENTITY_REQUIRED'],
      ['HMAC of another user id', { identity: { userId: 'user-2', hmac: signIdentity(identitySecret, 'user-1') } }, 'AUTH_IDENTITY_INVALID'],
      ['HMAC under another secret', { identity: { userId: 'user-1', hmac: signIdentity('z'.repeat(40), 'user-1') } }, 'AUTH_IDENTITY_INVALID'],
      ['HMAC that is not hex', { identity: { userId: 'user-1', hmac: 'not-a-signature' } }, 'AUTH_IDENTITY_INVALID'],
      ['both HMAC and JWT', { identity: { userId: 'user-1', hmac: signIdentity(identitySecret, 'user-1'), jwt: await jwt({ sub: 'user-1', expInS: 60 }) } }, 'AUTH_IDENTITY_INVALID'],
      ['an expired JWT', { identity: { jwt: await jwt({ sub: 'user-1', expInS: -120 }) } }, 'AUTH_IDENTITY_INVALID'],
      ['a JWT without exp', { identity: { jwt: await jwt({ sub: 'user-1' }) } }, 'AUTH_IDENTITY_INVALID'],
      ['a JWT issued in the future', { identity: { jwt: await jwt({ sub: 'user-1', expInS: 7200, iatOffsetS: 3600 }) } }, 'AUTH_IDENTITY_INVALID'],
      ['a JWT under another secret', { identity: { jwt: await jwt({ sub: 'user-1', expInS: 60 }, 'z'.repeat(40)) } }, 'AUTH_IDENTITY_INVALID'],
      ['a JWT with another algorithm', { identity: { jwt: await jwt({ sub: 'user-1', expInS: 60 }, identitySecret, 'HS512') } }, 'AUTH_IDENTITY_INVALID'],
      ['a JWT for another user than userId', { identity: { userId: 'user-2', jwt: await jwt({ sub: 'user-1', expInS: 60 }) } }, 'AUTH_IDENTITY_INVALID'],
      ['garbage for a JWT', { identity: { jwt: 'a.b.c' } }, 'AUTH_IDENTITY_INVALID'],
    ];
    for (const [name, fields, code] of cases) {
      const client = await raw(url, '/ws/visitor', { origin: SECURE_SHOP });
      expect(await client.request(hello({ siteKey: 'secure', ...fields })), name).toMatchObject({ type: 'error', code });
      expect((await client.closed).code, name).toBe(4004);
    }
    // A site without an identity secret accepts none (rather than ignoring a proof it cannot check).
    const plain = await raw(url, '/ws/visitor', { origin: SHOP });
    expect(await plain.request(hello({ identity: { userId: 'u', hmac: signIdentity(identitySecret, 'u') } }))).toMatchObject({ code: 'AUTH_IDENTITY_INVALID' });
  });

  it('refuses every action once a JWT-proven session outlives its JWT', async () => {
    let skewMs = 0;
    const { url } = await start({ now: () => Date.now() + skewMs });
    const { client } = await visitor(url, { siteKey: 'secure', identity: { jwt: await jwt({ sub: 'user-9', expInS: 60 }) } }, { origin: SECURE_SHOP });
    expect(await client.request({ type: 'conversation.start', clientId: 'k' })).toMatchObject({ type: 'conversation.joined' });
    skewMs = 5 * 60_000;
    expect(await client.request({ type: 'conversation.start', clientId: 'k2' })).toMatchObject({ type: 'error', code: 'AUTH_IDENTITY_INVALID' });
    expect((await client.closed).code).toBe(4004);
  });
});

describe('rate limits', () => {
  it('lets fifty visitors behind one IP open the chat and talk at once', async () => {
    const { url } = await start();
    const visitors = await Promise.all(Array.from({ length: 50 }, () => visitor(url)));
    const acks = await Promise.all(
      visitors.map(async ({ client }, i) => {
        const joined = await client.request({ type: 'conversation.start', clientId: `k${i}` });
        if (joined.type !== 'conversation.joined') return [joined.type === 'error' ? joined.code : joined.type];
        const sends = [0, 1, 2].map((m) => client.request({ type: 'message.send', conversationId: joined.conversation.id, clientId: `m${m}`, text: `hi ${m}` }));
        return (await Promise.all(sends)).map((f) => (f.type === 'error' ? f.code : f.type));
      }),
    );
    expect(acks.flat()).toEqual(Array.from({ length: 150 }, () => 'message.ack'));
  });

  it('refuses a message flood from one visitor with RATE_LIMITED, across their sockets too', async () => {
    const { url } = await start({ rates: { messages: { perSecond: 0.01, burst: 10 } } });
    const first = await visitor(url);
    const token = first.welcome.type === 'welcome' ? first.welcome.token! : '';
    const second = await visitor(url, { token });
    const joined = await first.client.request({ type: 'conversation.start', clientId: 'k' });
    if (joined.type !== 'conversation.joined') throw new Error(JSON.stringify(joined));
    const send = (c: TestClient, i: number) => c.request({ type: 'message.send', conversationId: joined.conversation.id, clientId: `m${i}`, text: 'x' });
    const results: string[] = [];
    // Seven per socket stays under each socket's burst of ten, but not under the visitor's ten.
    for (let i = 0; i < 7; i++) results.push((await send(first.client, i)).type);
    const fromSecond = [];
    for (let i = 7; i < 14; i++) fromSecond.push(await send(second.client, i));
    results.push(...fromSecond.map((f) => f.type));
    expect(results.filter((t) => t === 'message.ack')).toHaveLength(10);
    expect(fromSecond.at(-1)).toMatchObject({ type: 'error', code: 'RATE_LIMITED', retryable: true, message: expect.stringContaining('slow down') });
  });

  it('bounds what one IP may send and start, summed over its visitors', async () => {
    const { url } = await start({ rates: { ipMessages: { perSecond: 0.01, burst: 12 }, ipConversationStarts: { perSecond: 0.01, burst: 4 } } });
    const visitors = await Promise.all(Array.from({ length: 5 }, () => visitor(url)));
    const starts = [];
    for (const [i, { client }] of visitors.entries()) starts.push(await client.request({ type: 'conversation.start', clientId: `k${i}` }));
    expect(starts.map((f) => (f.type === 'error' ? f.code : f.type))).toEqual([...Array(4).fill('conversation.joined'), 'RATE_LIMITED']);
    const codes: string[] = [];
    for (const [i, f] of starts.slice(0, 4).entries()) {
      if (f.type !== 'conversation.joined') continue;
      for (let m = 0; m < 4; m++) {
        const reply = await visitors[i]!.client.request({ type: 'message.send', conversationId: f.conversation.id, clientId: `m${m}`, text: 'x' });
        codes.push(reply.type === 'error' ? `${reply.code}: ${reply.message}` : reply.type);
      }
    }
    expect(codes.filter((c) => c === 'message.ack')).toHaveLength(12);
    expect(codes.slice(12)).toEqual(Array(4).fill('RATE_LIMITED: too many messages from your network; slow down'));
  });

  it('answers a handshake flood from one IP with 429 and Retry-After', async () => {
    const { url } = await start({ rates: { handshakes: { perSecond: 0.01, burst: 5 } } });
    for (let i = 0; i < 5; i++) await raw(url, '/ws/visitor');
    expect(await upgradeRefusal(url, '/ws/visitor')).toMatchObject({ status: 429, retryAfter: '5', body: expect.stringContaining('RATE_LIMITED') });
  });

  it('caps the sockets open at once from one IP, and frees a place when one closes', async () => {
    const { url } = await start({ maxConnectionsPerAddress: 3 });
    const open = [await raw(url, '/ws/visitor'), await raw(url, '/ws/agent'), await raw(url, '/ws/visitor')];
    expect(await upgradeRefusal(url, '/ws/visitor')).toMatchObject({ status: 429, body: expect.stringContaining('too many open connections') });
    open[0]!.close();
    await open[0]!.closed;
    await expect.poll(async () => {
      try {
        (await raw(url, '/ws/visitor')).close();
        return 'opened';
      } catch (err) {
        return String(err);
      }
    }).toBe('opened');
  });

  it('keys the per-IP limits by the X-Forwarded-For client only behind a trusted proxy', async () => {
    const from = (chain: string) => ({ 'x-forwarded-for': chain });
    // Off (the default): the header is ignored, so a client cannot buy itself a fresh budget with it.
    const plain = await start({ maxConnectionsPerAddress: 2 });
    await raw(plain.url, '/ws/visitor', from('1.1.1.1'));
    await raw(plain.url, '/ws/visitor', from('2.2.2.2'));
    expect(await upgradeRefusal(plain.url, '/ws/visitor', from('3.3.3.3'))).toMatchObject({ status: 429 });

    // One proxy in front (hop count 1): its entry is the client, whatever the client put before it.
    const proxied = await start({ maxConnectionsPerAddress: 2, trustProxy: 1 });
    await raw(proxied.url, '/ws/visitor', from('1.1.1.1'));
    await raw(proxied.url, '/ws/visitor', from('9.9.9.9, 1.1.1.1'));
    expect(await upgradeRefusal(proxied.url, '/ws/visitor', from('1.1.1.1'))).toMatchObject({ status: 429 });
    await raw(proxied.url, '/ws/visitor', from('2.2.2.2'));

    // Trusted by address: the loopback proxy and a 10/8 hop are skipped, the first untrusted entry is the client.
    const listed = await start({ maxConnectionsPerAddress: 1, trustProxy: ['127.0.0.1', '10.0.0.0/8'] });
    await raw(listed.url, '/ws/visitor', from('5.5.5.5, 10.1.2.3'));
    expect(await upgradeRefusal(listed.url, '/ws/visitor', from('6.6.6.6, 5.5.5.5, 10.9.9.9'))).toMatchObject({ status: 429 });
    await raw(listed.url, '/ws/visitor', from('6.6.6.6'));
  });

  it('exempts listed addresses (load generators) from the per-IP limits', async () => {
    const { url } = await start({ rates: { handshakes: { perSecond: 0.01, burst: 2 } }, rateExemptAddresses: ['127.0.0.1', '::ffff:127.0.0.1'] });
    for (let i = 0; i < 5; i++) await raw(url, '/ws/visitor');
  });
});

describe('unauthenticated sockets and revocation', () => {
  it('closes a socket that never says hello with 4003, by default after 10 s', async () => {
    const { url } = await start({ helloTimeoutMs: 300 });
    const idle = await raw(url, '/ws/visitor');
    const opened = Date.now();
    // Traffic without an accepted hello does not keep the socket alive: pings are refused and the clock runs on.
    const chatter = setInterval(() => idle.send({ type: 'ping', ref: `p${Date.now()}` }), 50);
    const { code } = await idle.closed;
    clearInterval(chatter);
    expect(code).toBe(4003);
    expect(Date.now() - opened).toBeLessThan(2000);
    expect(idle.frames.every((f) => f.type === 'error' && f.code === 'PROTOCOL_NOT_AUTHENTICATED')).toBe(true);
    const { DEFAULT_HELLO_TIMEOUT_MS } = await import('./server.js');
    expect(DEFAULT_HELLO_TIMEOUT_MS).toBe(10_000);
  });

  /** Two nodes' fanouts: one shared in-memory bus, or (when REDIS_URL is set) two Redis connections on one prefix. */
  const buses: Array<[string, () => Promise<[Fanout, Fanout]>]> = [
    ['in-memory fanout shared by two nodes', async () => {
      const bus = createMemoryFanout();
      return [bus, bus];
    }],
  ];
  const redisUrl = process.env.REDIS_URL;
  if (redisUrl !== undefined) {
    buses.push(['Redis', async () => {
      const prefix = `parley-sec-${randomUUID()}:`;
      return [await createRedisFanout({ url: redisUrl, prefix }), await createRedisFanout({ url: redisUrl, prefix })];
    }]);
  }

  it.each(buses)('closes a revoked agent on every node within a second (%s), and refuses the token afterwards', async (_name, makeBuses) => {
    const [busA, busB] = await makeBuses();
    const nodeA = await start({ fanout: busA });
    const nodeB = await start({ fanout: busB });
    const { agent: alice, token } = await nodeA.server.createAgent({ name: 'Alice' });
    const { client: onA } = await agent(nodeA.url, token);
    const { client: onB } = await agent(nodeB.url, token);
    const begun = Date.now();
    expect(await nodeA.server.revokeAgent(alice.id)).toBe(true);
    const [closedA, closedB] = await Promise.all([onA.closed, onB.closed]);
    expect(Date.now() - begun).toBeLessThan(1000);
    expect([closedA.code, closedB.code]).toEqual([4001, 4001]);
    expect(onB.frames.at(-1)).toMatchObject({ type: 'error', code: 'AUTH_INVALID_TOKEN' });
    const again = await raw(nodeB.url, '/ws/agent');
    expect(await again.request({ type: 'hello', v: PROTOCOL_VERSION, role: 'agent', token })).toMatchObject({ code: 'AUTH_INVALID_TOKEN' });
    expect(await nodeA.server.revokeAgent('a_nope')).toBe(false);
    await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 100 })));
    await Promise.all([...new Set([busA, busB])].map((bus) => bus.close()));
  });

  it("closes the sockets of a logged-out console session within a second, and only that session's", async () => {
    const { server, url } = await start();
    await server.createAgent({ name: 'Alice', email: 'alice@shop.example', password: 'correct horse' });
    const login = async () => {
      const res = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'alice@shop.example', password: 'correct horse' }) });
      return ((await res.json()) as { token: string }).token;
    };
    const [laptopToken, phoneToken] = [await login(), await login()];
    const { client: laptop } = await agent(url, laptopToken);
    const { client: phone } = await agent(url, phoneToken);
    const begun = Date.now();
    expect((await fetch(`${url}/api/logout`, { method: 'POST', headers: { authorization: `Bearer ${laptopToken}` } })).status).toBe(204);
    expect((await laptop.closed).code).toBe(4001);
    expect(Date.now() - begun).toBeLessThan(1000);
    expect(await phone.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    const again = await raw(url, '/ws/agent');
    expect(await again.request({ type: 'hello', v: PROTOCOL_VERSION, role: 'agent', token: laptopToken })).toMatchObject({ code: 'AUTH_INVALID_TOKEN' });
  });

  it('closes the live sockets of an agent an admin disables over REST within a second', async () => {
    const { server, url } = await start();
    const admin = await server.createAgent({ name: 'Root', role: 'admin' });
    const { agent: bob, token } = await server.createAgent({ name: 'Bob' });
    const { client } = await agent(url, token);
    const begun = Date.now();
    const res = await fetch(`${url}/api/admin/agents/${bob.id}/disable`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}` } });
    expect(res.status).toBe(200);
    expect((await client.closed).code).toBe(4001);
    expect(Date.now() - begun).toBeLessThan(1000);
  });
});
