import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, ParleyError, type Message, type ServerFrame } from '@parley/protocol';
import { createJsonLogger } from './logger.js';
import { createServer, type CreateServerOptions, type ParleyServer } from './server.js';
import { createSqliteStorage } from './storage/sqlite.js';
import { connectAgent, connectClient, connectVisitor, type TestClient } from './test-client.js';

const secret = 's'.repeat(40);
const silent = createJsonLogger({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'parley-server-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const servers: ParleyServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 100 })));
});

async function start(options: CreateServerOptions = {}) {
  const server = createServer({ secret, logger: silent, ...options });
  servers.push(server);
  const { url } = await server.listen(0, '127.0.0.1');
  return { server, url };
}

async function visitor(url: string, hello: Record<string, unknown> = {}) {
  const v = await connectVisitor(url, hello);
  clients.push(v.client);
  return v;
}

async function startConversation(client: TestClient, clientId = `s-${Math.random()}`) {
  const joined = await client.request({ type: 'conversation.start', clientId });
  if (joined.type !== 'conversation.joined') throw new Error(JSON.stringify(joined));
  return joined.conversation;
}

const isNew = (f: ServerFrame): f is Extract<ServerFrame, { type: 'message.new' }> => f.type === 'message.new';

describe('createServer: HTTP', () => {
  it('answers /healthz with 200 and unknown paths with 404', async () => {
    const { url } = await start();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
  });

  it('refuses a disallowed Origin with 403 and allows listed ones', async () => {
    const { url } = await start({ allowedOrigins: ['https://shop.example'] });
    await expect(connectClient(url, '/ws/visitor', { origin: 'https://evil.example' })).rejects.toThrow('HTTP 403');
    const ok = await connectClient(url, '/ws/visitor', { origin: 'https://shop.example' });
    clients.push(ok);
  });

  it('refuses upgrades on unknown paths', async () => {
    const { url } = await start();
    await expect(connectClient(url, '/ws/other')).rejects.toThrow('HTTP 404');
  });

  it('attaches to an existing HTTP server and leaves its other routes alone', async () => {
    const http = createHttpServer((_req, res) => res.end('app'));
    const { url } = await start({ httpServer: http });
    expect(await (await fetch(`${url}/`)).text()).toBe('app');
    const { welcome } = await visitor(url);
    expect(welcome.type).toBe('welcome');
    await servers.pop()!.close({ graceMs: 100 });
    expect(http.listening).toBe(true);
    await new Promise((resolve) => http.close(resolve));
  });
});

describe('createServer: session', () => {
  it('issues a visitor token, accepts it back, and rotates it past half its life', async () => {
    let now = 1_000_000;
    const { url } = await start({ now: () => now, visitorTokenTtlMs: 10 * 60_000 });
    const first = await visitor(url);
    expect(first.welcome).toMatchObject({ type: 'welcome', v: PROTOCOL_VERSION, role: 'visitor', heartbeatMs: 25_000 });
    const token = (first.welcome as { token: string }).token;
    expect(token).toMatch(/^[\w-]+\.[\w-]+$/);
    const again = await visitor(url, { token });
    expect(again.welcome).toMatchObject({ subjectId: first.welcome.type === 'welcome' && first.welcome.subjectId });
    expect((again.welcome as { token?: string }).token).toBeUndefined();
    now += 5 * 60_000;
    const rotated = await visitor(url, { token });
    expect((rotated.welcome as { token?: string }).token).toBeDefined();
    expect((rotated.welcome as { token?: string }).token).not.toBe(token);
  });

  it('closes with 4003 when no hello arrives in time', async () => {
    const { url } = await start({ helloTimeoutMs: 50 });
    const client = await connectClient(url, '/ws/visitor');
    expect((await client.closed).code).toBe(4003);
  });

  it('answers ping with pong', async () => {
    const { url } = await start();
    const { client } = await visitor(url);
    expect(await client.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
  });

  it('terminates a peer that stops answering WebSocket pings', async () => {
    const { url } = await start({ heartbeatMs: 30 });
    const client = await connectClient(url, '/ws/visitor');
    clients.push(client);
    // Stop the automatic pong: ws answers pings itself unless the receiver is paused.
    client.ws.pause();
    await new Promise((resolve) => setTimeout(resolve, 200));
    client.ws.resume();
    expect((await client.closed).code).toBe(1006);
  });
});

describe('createServer: messages', () => {
  it('acks after storing, broadcasts to every member including the sender, and dedups resends', async () => {
    const { url } = await start();
    const { client: a } = await visitor(url);
    const conversation = await startConversation(a);
    const { token } = await start_agent_token();
    const { client: agent } = await connectAgent(url, token);
    clients.push(agent);
    await agent.request({ type: 'conversation.join', conversationId: conversation.id, afterSeq: 0 });

    const ack = await a.request({ type: 'message.send', conversationId: conversation.id, clientId: 'm1', text: 'hello' });
    expect(ack).toMatchObject({ type: 'message.ack', conversationId: conversation.id, clientId: 'm1', seq: 1 });
    expect((await a.next(isNew)) as { message: Message }).toMatchObject({ message: { seq: 1, text: 'hello', author: { role: 'visitor' } } });
    expect(await agent.next(isNew)).toMatchObject({ message: { seq: 1, text: 'hello' } });

    const dup = await a.request({ type: 'message.send', conversationId: conversation.id, clientId: 'm1', text: 'hello' });
    expect(dup).toMatchObject({ type: 'message.ack', seq: 1, duplicate: true });
    const second = await a.request({ type: 'message.send', conversationId: conversation.id, clientId: 'm2', text: 'again' });
    expect(second).toMatchObject({ seq: 2 });
    expect(await agent.next(isNew)).toMatchObject({ message: { seq: 2 } });

    async function start_agent_token() {
      return servers[0]!.createAgent({ name: 'Alice' });
    }
  });

  it('replays everything after the resume point on join and hello.resume, in order, across pages', async () => {
    const fast = { perSecond: 100_000, burst: 100_000 };
    const { url } = await start({ rates: { messages: fast, frames: fast } });
    const { client, welcome } = await visitor(url);
    const conversation = await startConversation(client);
    const total = 450;
    const acks = [];
    for (let i = 1; i <= total; i++) {
      acks.push(client.request({ type: 'message.send', conversationId: conversation.id, clientId: `m${i}`, text: `t${i}` }));
    }
    await Promise.all(acks);
    const token = (welcome as { token: string }).token;

    const { client: late } = await visitor(url, { token });
    const joined = await late.request({ type: 'conversation.join', conversationId: conversation.id, afterSeq: 17 });
    expect(joined).toMatchObject({ type: 'conversation.joined', conversation: { lastSeq: total } });
    const seqs: number[] = [];
    while (seqs.length < total - 17) seqs.push(((await late.next(isNew)) as { message: Message }).message.seq);
    expect(seqs).toEqual(Array.from({ length: total - 17 }, (_, i) => i + 18));

    const resumed = await connectClient(url, '/ws/visitor');
    clients.push(resumed);
    resumed.send({ type: 'hello', ref: 'h', v: 1, role: 'visitor', token, resume: [{ conversationId: conversation.id, afterSeq: total - 2 }] });
    expect(await resumed.next()).toMatchObject({ type: 'welcome' });
    expect(await resumed.next()).toMatchObject({ type: 'conversation.joined' });
    expect((await resumed.next()) as { message: Message }).toMatchObject({ message: { seq: total - 1 } });
    expect((await resumed.next()) as { message: Message }).toMatchObject({ message: { seq: total } });
  }, 20_000);

  it('pages history forward and backward', async () => {
    const { url } = await start();
    const { client } = await visitor(url);
    const conversation = await startConversation(client);
    for (let i = 1; i <= 5; i++) await client.request({ type: 'message.send', conversationId: conversation.id, clientId: `m${i}`, text: `${i}` });
    const seqs = (f: ServerFrame) => (f as { messages: Message[] }).messages.map((m) => m.seq);
    const fwd = await client.request({ type: 'history.get', conversationId: conversation.id, afterSeq: 1, limit: 2 });
    expect([seqs(fwd), (fwd as { hasMore: boolean }).hasMore]).toEqual([[2, 3], true]);
    const back = await client.request({ type: 'history.get', conversationId: conversation.id, beforeSeq: 5, limit: 10 });
    expect([seqs(back), (back as { hasMore: boolean }).hasMore]).toEqual([[1, 2, 3, 4], false]);
  });

  it('relays typing and read to the other side only, and stores the read marker', async () => {
    const { server, url } = await start();
    const { client: v } = await visitor(url);
    const conversation = await startConversation(v);
    await v.request({ type: 'message.send', conversationId: conversation.id, clientId: 'm1', text: 'x' });
    const { token } = await server.createAgent({ name: 'Alice' });
    const { client: agent } = await connectAgent(url, token);
    clients.push(agent);
    await agent.request({ type: 'conversation.join', conversationId: conversation.id, afterSeq: 1 });
    v.send({ type: 'typing', ref: 't1', conversationId: conversation.id, isTyping: true });
    expect(await agent.next((f) => f.type === 'typing.update')).toMatchObject({ author: { role: 'visitor' }, isTyping: true });
    agent.send({ type: 'read', ref: 'r1', conversationId: conversation.id, upToSeq: 1 });
    expect(await v.next((f) => f.type === 'read.update')).toMatchObject({ role: 'agent', upToSeq: 1 });
    await agent.request({ type: 'ping' });
    expect(agent.frames.some((f) => f.type === 'read.update' || (f.type === 'typing.update' && f.author.role === 'agent'))).toBe(false);
    expect((await server.storage.getConversation(conversation.id))!.agentReadSeq).toBe(1);
    expect(await v.request({ type: 'visitor.page', conversationId: conversation.id, url: 'https://shop.example/cart' })).toMatchObject({ type: 'ok' });
  });
});

describe('createServer: hand-off', () => {
  it('escalates, queues, assigns exactly once, closes and rates', async () => {
    const { server, url } = await start();
    const { client: v } = await visitor(url);
    const conversation = await startConversation(v);
    const transcript = [{ kind: 'question', text: 'refund?', at: 1 }];

    const offline = await v.request({ type: 'conversation.escalate', conversationId: conversation.id, reason: 'low_confidence', transcript });
    expect(offline).toMatchObject({ type: 'conversation.escalated', status: 'offline', reason: 'low_confidence' });

    const alice = await server.createAgent({ name: 'Alice' });
    const bob = await server.createAgent({ name: 'Bob' });
    const { client: a } = await connectAgent(url, alice.token);
    const { client: b } = await connectAgent(url, bob.token);
    clients.push(a, b);
    // Nobody was online: it became an offline message, outside the queue. Escalating again now queues it.
    expect(await a.next((f) => f.type === 'queue.snapshot')).toMatchObject({ entries: [] });
    const queued = await v.request({ type: 'conversation.escalate', conversationId: conversation.id, reason: 'low_confidence', transcript });
    expect(queued).toMatchObject({ status: 'queued' });
    expect(await a.next((f) => f.type === 'queue.snapshot' && f.entries.length === 1)).toMatchObject({
      entries: [{ conversationId: conversation.id, position: 1, reason: 'low_confidence', transcript }],
    });

    const [ra, rb] = await Promise.all([
      a.request({ type: 'conversation.accept', conversationId: conversation.id }),
      b.request({ type: 'conversation.accept', conversationId: conversation.id }),
    ]);
    const results = [ra, rb].map((f) => (f.type === 'error' ? f.code : f.type)).sort();
    expect(results).toEqual(['AUTH_FORBIDDEN', 'conversation.assigned']);
    expect(await v.next((f) => f.type === 'agent.joined')).toMatchObject({ conversationId: conversation.id });
    expect(await v.next((f) => isNew(f) && f.message.kind === 'event')).toBeDefined();
    expect(await a.next((f) => f.type === 'queue.snapshot' && f.entries.length === 0)).toBeDefined();

    // Only the agent who won the conversation may close it.
    const owner = ra.type === 'conversation.assigned' ? a : b;
    await owner.request({ type: 'conversation.join', conversationId: conversation.id, afterSeq: 0 });
    const closed = await owner.request({ type: 'conversation.close', conversationId: conversation.id, reason: 'resolved' });
    expect(closed).toMatchObject({ type: 'conversation.closed', by: 'agent', reason: 'resolved' });
    expect(await v.next((f) => f.type === 'conversation.closed')).toMatchObject({ by: 'agent' });
    const refused = await v.request({ type: 'message.send', conversationId: conversation.id, clientId: 'late', text: 'x' });
    expect(refused).toMatchObject({ type: 'error', code: 'CONVERSATION_CLOSED' });

    expect(await v.request({ type: 'rating.submit', conversationId: conversation.id, score: 5, comment: 'great' })).toMatchObject({
      type: 'rating.created',
      score: 5,
    });
    expect(await owner.next((f) => f.type === 'rating.created')).toMatchObject({ score: 5, comment: 'great' });
    expect(await v.request({ type: 'rating.submit', conversationId: conversation.id, score: 1 })).toMatchObject({ score: 5 });
    expect(await a.request({ type: 'agent.availability', availability: 'away' })).toMatchObject({ type: 'ok' });
  });

  it('refuses visitor-only frames from agents and agent-only frames from visitors with AUTH_FORBIDDEN', async () => {
    const { server, url } = await start();
    const { client: v } = await visitor(url);
    const conversation = await startConversation(v);
    const { token } = await server.createAgent({ name: 'Alice' });
    const { client: a } = await connectAgent(url, token);
    clients.push(a);
    expect(await v.request({ type: 'conversation.accept', conversationId: conversation.id })).toMatchObject({ code: 'AUTH_FORBIDDEN' });
    expect(await a.request({ type: 'rating.submit', conversationId: conversation.id, score: 3 })).toMatchObject({ code: 'AUTH_FORBIDDEN' });
    expect(await a.request({ type: 'conversation.start', clientId: 'x' })).toMatchObject({ code: 'AUTH_FORBIDDEN' });
  });
});

describe('createServer: limits', () => {
  it('answers a message flood with RATE_LIMITED (retryable) and keeps the connection', async () => {
    const { url } = await start({ rates: { messages: { perSecond: 1, burst: 3 } } });
    const { client } = await visitor(url);
    const conversation = await startConversation(client);
    const replies = await Promise.all(
      Array.from({ length: 6 }, (_, i) => client.request({ type: 'message.send', conversationId: conversation.id, clientId: `m${i}`, text: 'x' })),
    );
    expect(replies.filter((r) => r.type === 'message.ack')).toHaveLength(3);
    expect(replies.filter((r) => r.type === 'error')).toEqual(
      Array.from({ length: 3 }, () => expect.objectContaining({ code: 'RATE_LIMITED', retryable: true })),
    );
    expect(await client.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
  });

  it('limits conversation starts per visitor across connections', async () => {
    const { url } = await start({ rates: { conversationStarts: { perSecond: 1 / 60, burst: 2 } } });
    const { client, welcome } = await visitor(url);
    await startConversation(client, 'a');
    const { client: other } = await visitor(url, { token: (welcome as { token: string }).token });
    await startConversation(other, 'b');
    expect(await client.request({ type: 'conversation.start', clientId: 'c' })).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
  });

  it('closes with 4008 after repeated invalid frames', async () => {
    const { url } = await start();
    const { client } = await visitor(url);
    for (let i = 0; i < 25; i++) client.send('{nope');
    expect((await client.closed).code).toBe(4008);
  });

  it('closes with 4008 when a client keeps flooding past the rate limit', async () => {
    const { url } = await start({ rates: { frames: { perSecond: 1, burst: 5 } } });
    const { client } = await visitor(url);
    for (let i = 0; i < 40; i++) client.send({ type: 'ping', ref: `p${i}` });
    expect((await client.closed).code).toBe(4008);
  });
});

describe('createServer: storage failures', () => {
  it('answers STORAGE_UNAVAILABLE (retryable) when the database fails, and keeps serving', async () => {
    const storage = createSqliteStorage({ path: ':memory:' });
    const { url } = await start({ storage });
    const { client } = await visitor(url);
    const conversation = await startConversation(client);
    const original = storage.appendMessage;
    storage.appendMessage = () => Promise.reject(new (class extends Error {})('disk I/O error'));
    const failed = await client.request({ type: 'message.send', conversationId: conversation.id, clientId: 'm1', text: 'x' });
    // A non-ParleyError from an adapter is a bug in that adapter: the client sees SERVER_INTERNAL, no details.
    expect(failed).toMatchObject({ type: 'error', code: 'SERVER_INTERNAL', message: 'internal error' });
    storage.appendMessage = async () => {
      throw new ParleyError('STORAGE_UNAVAILABLE', 'driver said: SQLITE_IOERR at /var/lib/secret', { retryable: true });
    };
    const unavailable = await client.request({ type: 'message.send', conversationId: conversation.id, clientId: 'm1', text: 'x' });
    expect(unavailable).toMatchObject({ type: 'error', code: 'STORAGE_UNAVAILABLE', retryable: true });
    expect(JSON.stringify(unavailable)).not.toContain('/var/lib');
    storage.appendMessage = original;
    expect(await client.request({ type: 'message.send', conversationId: conversation.id, clientId: 'm1', text: 'x' })).toMatchObject({ seq: 1 });
    await servers.pop()!.close({ graceMs: 100 });
    await storage.close();
  });
});

describe('createServer: graceful close', () => {
  it('refuses new frames while draining, closes sockets with 1001, and loses nothing it acked', async () => {
    const path = join(dir, 'graceful.db');
    const { server, url } = await start({ dbPath: path });
    const { client } = await visitor(url);
    const conversation = await startConversation(client);
    const acked: number[] = [];
    const pending: Array<Promise<unknown>> = [];
    for (let i = 1; i <= 20; i++) {
      pending.push(
        client.request({ type: 'message.send', conversationId: conversation.id, clientId: `m${i}`, text: `${i}` }).then((f) => {
          if (f.type === 'message.ack') acked.push(f.seq);
        }),
      );
    }
    // The first ack means the server has read the burst; the other 19 are still queued behind it.
    await pending[0];
    const closing = server.close({ graceMs: 2000 });
    const late = await client.request({ type: 'ping' }).catch(() => undefined);
    const closed = await client.closed;
    await closing;
    servers.pop();
    expect(closed.code).toBe(1001);
    expect(late).toMatchObject({ type: 'error', code: 'SERVER_SHUTTING_DOWN', retryable: true });
    await Promise.allSettled(pending);
    expect(acked.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1)); // in-flight frames were finished, not dropped

    const reopened = createSqliteStorage({ path });
    const stored = await reopened.listMessages({ conversationId: conversation.id, afterSeq: 0, limit: 100 });
    const storedSeqs = new Set(stored.messages.map((m) => m.seq));
    for (const seq of acked) expect(storedSeqs.has(seq)).toBe(true);
    await reopened.close();
    await expect(connectClient(url, '/ws/visitor')).rejects.toThrow();
  });
});
