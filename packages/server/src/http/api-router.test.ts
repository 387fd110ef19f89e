import { afterEach, describe, expect, it } from 'vitest';
import { createJsonLogger } from '../logger.js';
import { createServer, type CreateServerOptions, type ParleyServer } from '../server.js';
import { connectAgent, type TestClient } from '../test-client.js';

const silent = createJsonLogger({ level: 'silent' });
const servers: ParleyServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 50 })));
});

async function start(options: CreateServerOptions = {}) {
  const server = createServer({ secret: 's'.repeat(40), logger: silent, ...options });
  servers.push(server);
  const { url } = await server.listen(0, '127.0.0.1');
  return { server, url };
}

const PASSWORD = 'correct horse battery';

async function withAgent(options: CreateServerOptions = {}) {
  const { server, url } = await start(options);
  const alice = await server.createAgent({ name: 'Alice', email: 'Alice@Shop.io', password: PASSWORD, role: 'admin' });
  const bob = await server.createAgent({ name: 'Bob', email: 'bob@shop.io', password: PASSWORD });
  return { server, url, alice, bob };
}

function login(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function tokenFor(url: string, email: string): Promise<string> {
  const res = await login(url, { email, password: PASSWORD });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

const get = (url: string, path: string, token?: string) =>
  fetch(`${url}${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

/** A conversation escalated with a transcript, assigned to `agent`, with two messages and page visits. */
async function seedConversation(server: ParleyServer, agent: { id: string; name: string }, profile = { name: 'Ada', email: 'ada@x.io', locale: 'en' }) {
  const { storage } = server;
  const site = await storage.getDefaultSite();
  const visitor = await storage.createVisitor(site.id);
  const { conversation } = await storage.startConversation({ siteId: site.id, visitorId: visitor.id, clientId: `s${Math.random()}`, profile });
  await storage.recordPage(conversation.id, 'https://shop.example/cart', 'Cart');
  const transcript = [
    { kind: 'question' as const, text: 'where is my parcel', at: 1 },
    { kind: 'answer' as const, text: 'Tracking is in your e-mail.', at: 2, entryId: 'tracking', confidence: 0.41 },
    { kind: 'feedback' as const, text: "didn't help", at: 3, helpful: false },
  ];
  await storage.escalate({ conversationId: conversation.id, reason: 'negative_feedback', transcript });
  await storage.assign(conversation.id, agent);
  await storage.appendMessage({ conversationId: conversation.id, clientId: 'm1', author: { role: 'visitor', id: visitor.id }, kind: 'text', text: 'my parcel is late' });
  return { conversation, transcript };
}

describe('POST /api/login', () => {
  it('returns a session token that works for the REST API and the agent WebSocket', async () => {
    const { url, alice } = await withAgent();
    const res = await login(url, { email: ' ALICE@shop.io ', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { token: string; expiresAt: number; agent: Record<string, unknown> };
    expect(body.agent).toEqual({ id: alice.agent.id, name: 'Alice', email: 'alice@shop.io', role: 'admin', availability: 'offline' });
    expect(body.token).toMatch(/^pat_/);
    expect(body.expiresAt).toBeGreaterThan(Date.now());
    const me = await get(url, '/api/me', body.token);
    expect(await me.json()).toEqual({ agent: body.agent });
    const { client, welcome } = await connectAgent(url, body.token);
    clients.push(client);
    expect(welcome).toMatchObject({ type: 'welcome', subjectId: alice.agent.id });
  });

  it('answers wrong password and unknown e-mail alike with 401 AUTH_INVALID_TOKEN', async () => {
    const { url } = await withAgent();
    const wrong = await login(url, { email: 'alice@shop.io', password: 'nope nope nope' });
    const unknown = await login(url, { email: 'who@shop.io', password: PASSWORD });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    const [a, b] = [await wrong.json(), await unknown.json()];
    expect(a).toEqual({ code: 'AUTH_INVALID_TOKEN', message: 'wrong e-mail or password' });
    expect(b).toEqual(a);
  });

  it('refuses token-only agents (no password) with 401', async () => {
    const { server, url } = await start();
    await server.createAgent({ name: 'Tok' });
    expect((await login(url, { email: '', password: PASSWORD })).status).toBe(401);
  });

  it('validates the body: JSON object, content type, shape and size', async () => {
    const { url } = await withAgent();
    const code = async (res: Response) => [res.status, ((await res.json()) as { code: string }).code];
    expect(await code(await login(url, '{nope'))).toEqual([400, 'PROTOCOL_BAD_JSON']);
    expect(await code(await login(url, '[1]'))).toEqual([400, 'PROTOCOL_BAD_FRAME']);
    expect(await code(await login(url, { email: 1, password: 2 }))).toEqual([400, 'PROTOCOL_BAD_FRAME']);
    expect(await code(await login(url, { email: 'a', password: PASSWORD }, { 'content-type': 'text/plain' }))).toEqual([400, 'PROTOCOL_BAD_FRAME']);
    expect(await code(await login(url, { email: 'a', password: 'x'.repeat(20_000) }))).toEqual([413, 'PROTOCOL_FRAME_TOO_LARGE']);
  });

  it('rate-limits attempts per IP with 429 RATE_LIMITED and Retry-After', async () => {
    const { url } = await withAgent({ rates: { logins: { perSecond: 0.001, burst: 2 } } });
    await login(url, { email: 'alice@shop.io', password: 'wrong-one' });
    await login(url, { email: 'alice@shop.io', password: 'wrong-two' });
    const limited = await login(url, { email: 'alice@shop.io', password: PASSWORD });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(await limited.json()).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
  });
});

describe('bearer authentication', () => {
  it('refuses missing, malformed and unknown tokens with 401, and a token in the URL is not read', async () => {
    const { url, alice } = await withAgent();
    const attempts: Array<Record<string, string>> = [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer pat_unknown' }];
    for (const headers of attempts) {
      const res = await fetch(`${url}/api/me`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.json()).toMatchObject({ code: 'AUTH_INVALID_TOKEN' });
    }
    expect((await get(url, `/api/me?token=${alice.token}`)).status).toBe(401);
    // The agent's permanent token (create-agent) is accepted too.
    expect((await get(url, '/api/me', alice.token)).status).toBe(200);
  });

  it('ends a session on logout and expires sessions after agentSessionTtlMs', async () => {
    let now = Date.now();
    const { url } = await withAgent({ now: () => now, agentSessionTtlMs: 60_000 });
    const token = await tokenFor(url, 'bob@shop.io');
    const out = await fetch(`${url}/api/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(out.status).toBe(204);
    expect((await get(url, '/api/me', token)).status).toBe(401);
    const second = await tokenFor(url, 'bob@shop.io');
    now += 61_000;
    expect((await get(url, '/api/me', second)).status).toBe(401);
  });
});

describe('GET /api/conversations', () => {
  it('lists newest first and searches visitor name, e-mail and message text', async () => {
    const { server, url, alice } = await withAgent();
    const token = await tokenFor(url, 'alice@shop.io');
    const first = await seedConversation(server, alice.agent);
    const second = await seedConversation(server, alice.agent, { name: 'Grace', email: 'grace@y.io', locale: 'fr' });
    const list = async (query = '') => {
      const res = await get(url, `/api/conversations${query}`, token);
      expect(res.status).toBe(200);
      return ((await res.json()) as { conversations: Array<{ id: string }> }).conversations;
    };
    expect((await list()).map((c) => c.id)).toEqual([second.conversation.id, first.conversation.id]);
    expect((await list('?q=GRACE')).map((c) => c.id)).toEqual([second.conversation.id]);
    expect((await list('?q=ada%40x')).map((c) => c.id)).toEqual([first.conversation.id]);
    expect((await list('?q=parcel%20is%20late')).map((c) => c.id)).toHaveLength(2);
    expect((await list('?status=closed'))).toEqual([]);
    expect((await list('?limit=1')).map((c) => c.id)).toEqual([second.conversation.id]);
    expect((await list('?limit=1&offset=1')).map((c) => c.id)).toEqual([first.conversation.id]);
    expect((await list('?q=parcel&limit=1&offset=1')).map((c) => c.id)).toEqual([first.conversation.id]);
    expect(await list('?offset=2')).toEqual([]);
    expect((await list())[0]).toMatchObject({ status: 'assigned', profile: { name: 'Grace' }, agent: { name: 'Alice' }, escalationReason: 'negative_feedback', lastMessage: { text: 'my parcel is late' } });
  });

  it('refuses bad parameters with 400 PROTOCOL_BAD_FRAME', async () => {
    const { url } = await withAgent();
    const token = await tokenFor(url, 'bob@shop.io');
    for (const query of ['?status=nope', '?limit=0', '?limit=201', '?limit=abc', `?q=${'x'.repeat(201)}`, '?offset=-1', '?offset=1.5', '?offset=10001']) {
      const res = await get(url, `/api/conversations${query}`, token);
      expect([query, res.status]).toEqual([query, 400]);
      expect(await res.json()).toMatchObject({ code: 'PROTOCOL_BAD_FRAME' });
    }
  });
});

describe('GET /api/conversations/:id', () => {
  it('returns profile, pages, transcript, escalation reason, rating and messages', async () => {
    const { server, url, alice } = await withAgent();
    const token = await tokenFor(url, 'bob@shop.io');
    const { conversation, transcript } = await seedConversation(server, alice.agent);
    await server.storage.rate({ conversationId: conversation.id, score: 4, comment: 'ok' });
    const res = await get(url, `/api/conversations/${conversation.id}`, token);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { conversation: Record<string, unknown>; messages: Array<{ text: string }>; hasMoreMessages: boolean };
    expect(body.conversation).toMatchObject({
      id: conversation.id,
      profile: { name: 'Ada', email: 'ada@x.io', locale: 'en', page: 'https://shop.example/cart' },
      pages: [{ url: 'https://shop.example/cart', title: 'Cart' }],
      transcript,
      escalationReason: 'negative_feedback',
      rating: { score: 4, comment: 'ok' },
    });
    expect(body.messages.map((m) => m.text)).toEqual(['Alice joined the conversation', 'my parcel is late']);
    expect(body.hasMoreMessages).toBe(false);
  });

  it('answers unknown and over-long ids with 404 CONVERSATION_NOT_FOUND, malformed ones with 400', async () => {
    const { url } = await withAgent();
    const token = await tokenFor(url, 'bob@shop.io');
    for (const id of ['c_nope', 'x'.repeat(100), '%E0%A4%A']) {
      const res = await get(url, `/api/conversations/${id}`, token);
      expect(res.status).toBe(id.startsWith('%') ? 400 : 404);
    }
    expect(await (await get(url, '/api/conversations/c_nope', token)).json()).toMatchObject({ code: 'CONVERSATION_NOT_FOUND' });
  });
});

describe('GET /api/stats/csat', () => {
  it('gives admins every agent and agents only their own row, with a 30-day series', async () => {
    const { server, url, alice, bob } = await withAgent();
    const a = await seedConversation(server, alice.agent);
    const b = await seedConversation(server, bob.agent);
    await server.storage.rate({ conversationId: a.conversation.id, score: 5 });
    await server.storage.rate({ conversationId: b.conversation.id, score: 2 });
    const asAdmin = (await (await get(url, '/api/stats/csat', await tokenFor(url, 'alice@shop.io'))).json()) as {
      count: number; average: number; perAgent: Array<{ name: string; average: number }>; perDay: Array<{ count: number }>;
    };
    expect(asAdmin).toMatchObject({ count: 2, average: 3.5, days: 30 });
    expect(asAdmin.perAgent.map((r) => [r.name, r.average])).toEqual([['Alice', 5], ['Bob', 2]]);
    expect(asAdmin.perDay).toHaveLength(30);
    expect(asAdmin.perDay.at(-1)).toMatchObject({ count: 2, average: 3.5 });
    const asAgent = (await (await get(url, '/api/stats/csat', await tokenFor(url, 'bob@shop.io'))).json()) as typeof asAdmin;
    expect(asAgent.perAgent.map((r) => r.name)).toEqual(['Bob']);
    expect(asAgent.count).toBe(2);
  });
});

describe('API routing', () => {
  it('answers unknown routes with 404 and wrong methods with 405, both as JSON', async () => {
    const { url } = await withAgent();
    const missing = await fetch(`${url}/api/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'PROTOCOL_UNKNOWN_TYPE' });
    const wrong = await fetch(`${url}/api/login`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it('answers 503 STORAGE_UNAVAILABLE when the database fails, without details', async () => {
    const { server, url } = await withAgent();
    const token = await tokenFor(url, 'bob@shop.io');
    await server.storage.close();
    const res = await get(url, '/api/me', token);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ code: 'STORAGE_UNAVAILABLE', message: 'the database is unavailable', retryable: true });
  });
});
