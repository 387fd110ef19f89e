import { createHmac } from 'node:crypto';
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ParleyError } from '@parley/protocol';
import type { DomainEvent } from './domain-events.js';
import { createJsonLogger } from './logger.js';
import { createServer, type ParleyServer } from './server.js';
import type { Storage } from './storage/storage.js';
import { connectAgent, connectVisitor, type TestClient } from './test-client.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStorage } from './storage/sqlite.js';
import { createPostgresStorage } from './storage/postgres.js';
import { createRedisFanout } from './fanout/redis.js';
import { DATABASE_URL, dropTestSchemas, nextTestSchema, postgresTestStorage } from './test-postgres.js';
import { createWebhookDispatcher, signWebhook, verifyWebhookSignature, type WebhookDispatcher, type WebhookPayload } from './webhooks.js';

const silent = createJsonLogger({ level: 'silent' });
const SECRET = 'whsec-0123456789abcdef';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A real HTTP receiver; `statusFor(n)` picks the status of the n-th request (0-based). */
async function receiver(statusFor: (n: number) => number = () => 200) {
  const received: Received[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const server: Server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = received.length;
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: performance.now() });
      res.writeHead(statusFor(n)).end();
      for (const w of waiters.filter((w) => received.length >= w.count)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return {
    url: `http://127.0.0.1:${address.port}/hooks`,
    received,
    /** Resolves once `count` requests arrived (polling would do too, but this is exact). */
    waitFor: (count: number, timeoutMs = 10_000) =>
      new Promise<void>((resolve, reject) => {
        if (received.length >= count) return resolve();
        const timer = setTimeout(() => reject(new Error(`got ${received.length} of ${count} webhooks`)), timeoutMs);
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
      }),
  };
}

const closers: Array<() => Promise<void>> = [];
const servers: ParleyServer[] = [];
const clients: TestClient[] = [];
const dispatchers: WebhookDispatcher[] = [];
const stores: Storage[] = [];
const dir = mkdtempSync(join(tmpdir(), 'parley-webhooks-'));
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 50 })));
  await Promise.all(dispatchers.splice(0).map((d) => d.close()));
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await Promise.all(closers.splice(0).map((c) => c()));
});
afterAll(async () => {
  await dropTestSchemas();
  rmSync(dir, { recursive: true, force: true });
});

/** A real SQLite outbox (in memory unless a file is named), closed after the test. */
function outbox(path = ':memory:'): Storage {
  const storage = createSqliteStorage({ path });
  stores.push(storage);
  return storage;
}

/** A dispatcher closed after the test (before its store). */
function dispatcherFor(options: Parameters<typeof createWebhookDispatcher>[0]): WebhookDispatcher {
  const dispatcher = createWebhookDispatcher(options);
  dispatchers.push(dispatcher);
  return dispatcher;
}

const ratingEvent = (score: number): DomainEvent => ({ type: 'rating.created', rating: { conversationId: 'c_1', score, scale: 'csat', at: 1 } });

const backends: Array<[string, (() => Promise<Storage>) | undefined]> = [['sqlite', undefined], ['postgres', DATABASE_URL === undefined ? undefined : () => postgresTestStorage()]];
describe.each(backends)('webhooks from a running server on %s', (backend, makeStorage) => {
  it.skipIf(backend === 'postgres' && makeStorage === undefined)('POSTs each event once, signed, with its data', async () => {
    const hook = await receiver();
    const storage = makeStorage === undefined ? undefined : await makeStorage();
    if (storage !== undefined) stores.push(storage);
    const server = createServer({ secret: 's'.repeat(40), logger: silent, webhooks: { endpoints: [{ url: hook.url, secret: SECRET }] }, ...(storage === undefined ? {} : { storage }) });
    servers.push(server);
    const { url } = await server.listen(0, '127.0.0.1');
    const { token } = await server.createAgent({ name: 'Alice' });
    const v = await connectVisitor(url);
    clients.push(v.client);
    const a = await connectAgent(url, token);
    clients.push(a.client);
    const started = await v.client.request({ type: 'conversation.start', clientId: 's1', profile: { name: 'Ada' } });
    const conversationId = (started as { conversation: { id: string } }).conversation.id;
    await v.client.request({ type: 'conversation.start', clientId: 's1' }); // a retry: no second "created"
    await v.client.request({ type: 'message.send', conversationId, clientId: 'm1', text: 'where is my parcel' });
    await v.client.request({ type: 'message.send', conversationId, clientId: 'm1', text: 'where is my parcel' }); // duplicate
    await v.client.request({ type: 'conversation.escalate', conversationId, reason: 'asked_for_human', transcript: [] });
    await a.client.request({ type: 'conversation.accept', conversationId });
    await a.client.request({ type: 'conversation.close', conversationId, reason: 'solved' });
    await v.client.request({ type: 'rating.submit', conversationId, score: 5, comment: 'great' });
    await hook.waitFor(6);
    // Give a stray duplicate a moment to show up before asserting there is none.
    await new Promise((r) => setTimeout(r, 100));

    expect(hook.received).toHaveLength(6);
    const byEvent = new Map<string, WebhookPayload>();
    for (const r of hook.received) {
      // Checked here by hand, independently of verifyWebhookSignature.
      const [, t, mac] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(r.headers['parley-signature']))!;
      expect(mac).toBe(createHmac('sha256', SECRET).update(`${t}.${r.body}`).digest('hex'));
      expect(Math.abs(Number(t) - Date.now() / 1000)).toBeLessThan(60);
      expect(r.headers['content-type']).toBe('application/json');
      const payload = JSON.parse(r.body) as WebhookPayload;
      expect(r.headers['parley-event']).toBe(payload.event);
      expect(r.headers['parley-delivery']).toBe(payload.id);
      byEvent.set(payload.event, payload);
    }
    expect([...byEvent.keys()].sort()).toEqual(
      ['conversation.assigned', 'conversation.closed', 'conversation.created', 'conversation.escalated', 'message.created', 'rating.created'],
    );
    expect(byEvent.get('conversation.created')!.data).toMatchObject({ conversation: { id: conversationId, status: 'bot', profile: { name: 'Ada' } } });
    expect(byEvent.get('message.created')!.data).toMatchObject({ message: { conversationId, seq: 1, text: 'where is my parcel', author: { role: 'visitor' } } });
    expect(byEvent.get('conversation.escalated')!.data).toMatchObject({ reason: 'asked_for_human', conversation: { status: 'queued' } });
    expect(byEvent.get('conversation.assigned')!.data).toMatchObject({ agent: { name: 'Alice' }, conversation: { status: 'assigned' } });
    expect(byEvent.get('conversation.closed')!.data).toMatchObject({ closedBy: 'agent', reason: 'solved', conversation: { status: 'closed' } });
    expect(byEvent.get('rating.created')!.data).toMatchObject({ rating: { conversationId, score: 5, scale: 'csat', comment: 'great' } });
    expect(JSON.stringify(byEvent.get('conversation.created'))).not.toContain('ReadSeq');
  });

  it.skipIf(backend === 'postgres' && makeStorage === undefined)('checks a rating against the site\'s scale and sends the scale with rating.created', async () => {
    const hook = await receiver();
    const storage = makeStorage === undefined ? undefined : await makeStorage();
    if (storage !== undefined) stores.push(storage);
    const server = createServer({ secret: 's'.repeat(40), logger: silent, webhooks: { endpoints: [{ url: hook.url, secret: SECRET, events: ['rating.created'] }] }, ...(storage === undefined ? {} : { storage }) });
    servers.push(server);
    const { url } = await server.listen(0, '127.0.0.1');
    const site = await server.storage.createSite({ key: 'effort', allowedOrigins: ['*'], ratingScale: 'ces' });
    const v = await connectVisitor(url, { siteKey: site.key });
    clients.push(v.client);
    const rated = async (clientId: string, score: number) => {
      const started = await v.client.request({ type: 'conversation.start', clientId });
      const conversationId = (started as { conversation: { id: string } }).conversation.id;
      return { conversationId, reply: await v.client.request({ type: 'rating.submit', conversationId, score }) };
    };
    // 0 is on no CES scale (1–7), 8 is past it; 7, its top, is fine, where CSAT would refuse it.
    expect((await rated('s0', 0)).reply).toMatchObject({ type: 'error', code: 'RATING_OUT_OF_SCALE' });
    expect((await rated('s1', 8)).reply).toMatchObject({ type: 'error', code: 'RATING_OUT_OF_SCALE' });
    const ok = await rated('s2', 7);
    expect(ok.reply).toMatchObject({ type: 'rating.created', score: 7, scale: 'ces' });
    await hook.waitFor(1);
    expect(JSON.parse(hook.received[0]!.body).data).toMatchObject({ rating: { conversationId: ok.conversationId, score: 7, scale: 'ces' } });
    // Switching the site to NPS takes effect on the next rating; the stored one keeps its scale.
    await server.storage.updateSite(site.id, { ratingScale: 'nps' });
    expect((await rated('s3', 0)).reply).toMatchObject({ type: 'rating.created', score: 0, scale: 'nps' });
    expect((await server.storage.getConversationDetail(ok.conversationId))!.rating).toMatchObject({ score: 7, scale: 'ces' });
  });

});

describe('webhook subscriptions', () => {
  it('a server that closes takes its writer off a storage it was lent, and leaves another server\'s on', async () => {
    const hook = await receiver();
    const storage = outbox();
    const make = () => createServer({ secret: 's'.repeat(40), logger: silent, storage, webhooks: { endpoints: [{ url: hook.url, secret: SECRET }] } });
    const first = make();
    const second = make();
    servers.push(second);
    await first.close();
    const site = await storage.getDefaultSite();
    const start = async (clientId: string) => {
      const visitor = await storage.createVisitor(site.id);
      await storage.startConversation({ siteId: site.id, visitorId: visitor.id, clientId });
    };
    await start('while-second-runs');
    await hook.waitFor(1);
    expect(hook.received[0]!.headers['parley-event']).toBe('conversation.created');
    await expect.poll(() => storage.countWebhooks()).toBe(0);
    await second.close();
    await start('after-both-closed');
    expect(await storage.countWebhooks()).toBe(0);
  });

  it('sends only the events an endpoint subscribed to', async () => {
    const hook = await receiver();
    const server = createServer({ secret: 's'.repeat(40), logger: silent, webhooks: { endpoints: [{ url: hook.url, secret: SECRET, events: ['message.created'] }] } });
    servers.push(server);
    const { url } = await server.listen(0, '127.0.0.1');
    const v = await connectVisitor(url);
    clients.push(v.client);
    const started = await v.client.request({ type: 'conversation.start', clientId: 's1' });
    const conversationId = (started as { conversation: { id: string } }).conversation.id;
    await v.client.request({ type: 'message.send', conversationId, clientId: 'm1', text: 'hello' });
    await hook.waitFor(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(hook.received.map((r) => r.headers['parley-event'])).toEqual(['message.created']);
  });
});

describe('createWebhookDispatcher', () => {
  it('retries with growing delays after two failures, then succeeds, keeping the delivery id', async () => {
    const hook = await receiver((n) => (n < 2 ? 503 : 200));
    const outcomes: string[] = [];
    const dispatcher = createWebhookDispatcher({
      endpoints: [{ url: hook.url, secret: SECRET }],
      logger: silent,
      store: outbox(),
      baseDelayMs: 40,
      onOutcome: (_e, outcome) => outcomes.push(outcome),
    });
    dispatcher.emit(ratingEvent(4));
    await hook.waitFor(3);
    await expect.poll(() => dispatcher.pending()).toBe(0);
    expect(hook.received.map((r) => r.headers['parley-attempt'])).toEqual(['1', '2', '3']);
    expect(new Set(hook.received.map((r) => r.headers['parley-delivery'])).size).toBe(1);
    expect(new Set(hook.received.map((r) => r.body)).size).toBe(1);
    for (const r of hook.received) {
      expect(verifyWebhookSignature({ secret: SECRET, header: r.headers['parley-signature'] as string, body: r.body })).toBe(true);
    }
    // Delays are drawn from the upper half of 40 ms, then of 80 ms.
    const firstGap = hook.received[1]!.at - hook.received[0]!.at;
    const secondGap = hook.received[2]!.at - hook.received[1]!.at;
    expect(firstGap).toBeGreaterThanOrEqual(18);
    expect(secondGap).toBeGreaterThanOrEqual(38);
    expect(outcomes).toEqual(['retried', 'retried', 'delivered']);
    await dispatcher.close();
  });

  it('does not retry a 4xx refusal, and gives up after maxAttempts on 5xx', async () => {
    const refusing = await receiver(() => 400);
    const failing = await receiver(() => 500);
    const outcomes: string[] = [];
    const dispatcher = createWebhookDispatcher({
      endpoints: [{ url: refusing.url, secret: SECRET }, { url: failing.url, secret: SECRET }],
      logger: silent,
      store: outbox(),
      baseDelayMs: 5,
      maxAttempts: 3,
      onOutcome: (_e, outcome) => outcomes.push(outcome),
    });
    dispatcher.emit(ratingEvent(1));
    await failing.waitFor(3);
    await expect.poll(() => dispatcher.pending()).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(refusing.received).toHaveLength(1);
    expect(failing.received).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'failed')).toHaveLength(2);
    await dispatcher.close();
  });

  it('retries when the receiver is not listening at all', async () => {
    const hook = await receiver();
    const port = Number(new URL(hook.url).port);
    await closers.pop()!();
    const dispatcher = createWebhookDispatcher({ endpoints: [{ url: hook.url, secret: SECRET }], logger: silent, store: outbox(), baseDelayMs: 100 });
    dispatcher.emit(ratingEvent(2));
    await new Promise((r) => setTimeout(r, 30));
    // The receiver comes back on the same port; a retry finds it.
    const back = createHttpServer((_req, res) => res.writeHead(204).end());
    const got = new Promise<void>((resolve) => back.once('request', () => resolve()));
    await new Promise<void>((resolve) => back.listen(port, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => back.close(() => resolve())));
    await got;
    await expect.poll(() => dispatcher.pending()).toBe(0);
    await dispatcher.close();
  });

  it('times out a receiver that never answers and retries', async () => {
    let requests = 0;
    const silentReceiver = createHttpServer((req) => {
      requests++;
      req.resume(); // never answers
    });
    await new Promise<void>((resolve) => silentReceiver.listen(0, '127.0.0.1', resolve));
    closers.push(async () => {
      silentReceiver.closeAllConnections();
      await new Promise<void>((resolve) => silentReceiver.close(() => resolve()));
    });
    const outcomes: string[] = [];
    const dispatcher = createWebhookDispatcher({
      endpoints: [{ url: `http://127.0.0.1:${(silentReceiver.address() as { port: number }).port}/`, secret: SECRET }],
      logger: silent,
      store: outbox(),
      timeoutMs: 100,
      baseDelayMs: 10,
      maxAttempts: 2,
      onOutcome: (_e, outcome) => outcomes.push(outcome),
    });
    dispatcher.emit(ratingEvent(5));
    await expect.poll(() => dispatcher.pending(), { timeout: 5000 }).toBe(0);
    expect(requests).toBe(2);
    expect(outcomes).toEqual(['retried', 'failed']);
    await dispatcher.close();
  });

  it('keeps what is left at close() in the outbox, and the next start delivers it', async () => {
    const path = join(dir, 'restart.db');
    let isUp = false;
    const hook = await receiver(() => (isUp ? 200 : 500));
    const before = createSqliteStorage({ path });
    const first = createWebhookDispatcher({ endpoints: [{ url: hook.url, secret: SECRET }], logger: silent, store: before, baseDelayMs: 60_000 });
    first.emit(ratingEvent(3));
    await hook.waitFor(1);
    // The failed attempt is recorded before close() returns: due again in 30–60 s.
    await first.close(5000);
    first.emit(ratingEvent(3)); // after close: ignored
    expect(await before.countWebhooks()).toBe(1);
    await before.close();

    // A new process on the same file, a minute later by its clock: the retry is due and goes out, attempt 2.
    isUp = true;
    const after = outbox(path);
    const second = dispatcherFor({ endpoints: [{ url: hook.url, secret: SECRET }], logger: silent, store: after, pollMs: 20, now: () => Date.now() + 61_000 });
    await hook.waitFor(2);
    await expect.poll(() => second.pending()).toBe(0);
    expect(hook.received).toHaveLength(2);
    expect(hook.received.map((r) => r.headers['parley-attempt'])).toEqual(['1', '2']);
    expect(hook.received[1]!.headers['parley-delivery']).toBe(hook.received[0]!.headers['parley-delivery']);
    expect(hook.received[1]!.body).toBe(hook.received[0]!.body);
  });

  it('drops what does not fit under maxPending, and says so', async () => {
    const hook = await receiver(() => 500);
    const outcomes: string[] = [];
    const store = outbox();
    const dispatcher = dispatcherFor({
      endpoints: [{ url: hook.url, secret: SECRET }],
      logger: silent,
      store,
      baseDelayMs: 60_000,
      maxPending: 2,
      onOutcome: (_e, outcome) => outcomes.push(outcome),
    });
    for (const score of [1, 2, 3]) dispatcher.emit(ratingEvent(score));
    await hook.waitFor(2);
    await expect.poll(() => outcomes.length).toBe(3);
    expect(outcomes.sort()).toEqual(['dropped', 'retried', 'retried']);
    expect(await store.countWebhooks()).toBe(2);
  });

  it('holds maxPending too when the storage writes the rows with the change (writer)', async () => {
    const hook = await receiver(() => 500);
    const outcomes: string[] = [];
    const store = outbox();
    const dispatcher = dispatcherFor({
      endpoints: [{ url: hook.url, secret: SECRET }],
      logger: silent,
      store,
      baseDelayMs: 60_000,
      maxPending: 2,
      onOutcome: (_e, outcome) => outcomes.push(outcome),
    });
    store.setWebhookOutbox(dispatcher.writer);
    const site = await store.getDefaultSite();
    for (const n of [1, 2, 3]) {
      const visitor = await store.createVisitor(site.id);
      await store.startConversation({ siteId: site.id, visitorId: visitor.id, clientId: `s${n}` });
    }
    await hook.waitFor(2);
    await expect.poll(() => outcomes.length).toBe(3);
    expect(outcomes.sort()).toEqual(['dropped', 'retried', 'retried']);
    expect(await store.countWebhooks()).toBe(2);
  });

  it('keeps counting right past maxPending deliveries in all, and attempts no more than maxInFlight at once', async () => {
    // A slow receiver that notes how many POSTs it holds at once.
    let open = 0;
    let mostOpen = 0;
    let delivered = 0;
    const slow = createHttpServer((req, res) => {
      open += 1;
      mostOpen = Math.max(mostOpen, open);
      req.resume();
      req.on('end', () =>
        setTimeout(() => {
          open -= 1;
          delivered += 1;
          res.writeHead(200).end();
        }, 15),
      );
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => slow.close(() => resolve())));
    const outcomes: string[] = [];
    const store = outbox();
    const dispatcher = dispatcherFor({
      endpoints: [{ url: `http://127.0.0.1:${(slow.address() as { port: number }).port}/hooks`, secret: SECRET }],
      logger: silent,
      store,
      maxPending: 6,
      maxInFlight: 2,
      // No poll in the test's time: the count must stay right from this node's own bookkeeping.
      pollMs: 60_000,
      onOutcome: (_e, outcome) => outcomes.push(outcome),
    });
    store.setWebhookOutbox(dispatcher.writer);
    const site = await store.getDefaultSite();
    // 5 rounds of 4 changes at once: 20 deliveries in all, over 3 times maxPending, never more than 4 pending.
    for (let round = 0; round < 5; round++) {
      await Promise.all(
        [0, 1, 2, 3].map(async (k) => {
          const visitor = await store.createVisitor(site.id);
          await store.startConversation({ siteId: site.id, visitorId: visitor.id, clientId: `s${round}-${k}` });
        }),
      );
      await expect.poll(() => outcomes.length).toBe(4 * (round + 1));
    }
    expect(outcomes.filter((o) => o !== 'delivered')).toEqual([]);
    expect(delivered).toBe(20);
    expect(mostOpen).toBeLessThanOrEqual(2);
    expect(await store.countWebhooks()).toBe(0);
  });

  it('recounts the outbox while every attempt slot is taken, so deliveries another node finished free room', async () => {
    // A's only slot goes to a receiver that never answers; B's receiver fails once, then takes everything.
    const hanging = createHttpServer(() => {});
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => (hanging.closeAllConnections(), hanging.close(() => resolve()))));
    const hook = await receiver((n) => (n < 2 ? 500 : 200));
    const outcomesA: string[] = [];
    const store = outbox();
    const a = dispatcherFor({
      endpoints: [{ url: `http://127.0.0.1:${(hanging.address() as { port: number }).port}/hooks`, secret: SECRET }],
      logger: silent,
      store,
      maxPending: 3,
      maxInFlight: 1,
      pollMs: 20,
      timeoutMs: 60_000,
      onOutcome: (_e, outcome) => outcomesA.push(outcome),
    });
    store.setWebhookOutbox(a.writer);
    const b = dispatcherFor({ endpoints: [{ url: hook.url, secret: SECRET }], logger: silent, store, baseDelayMs: 300, pollMs: 20 });
    b.emit(ratingEvent(1));
    b.emit(ratingEvent(2));
    await hook.waitFor(2);
    // A has counted B's two waiting retries by now (its polls run with a free slot).
    await new Promise((resolve) => setTimeout(resolve, 100));
    const site = await store.getDefaultSite();
    const start = async (clientId: string) => {
      const visitor = await store.createVisitor(site.id);
      await store.startConversation({ siteId: site.id, visitorId: visitor.id, clientId });
    };
    await start('first'); // 3 pending: B's two and this one, which takes A's only slot for good
    await hook.waitFor(4); // B's retries delivered: 1 pending
    await expect.poll(() => store.countWebhooks()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100)); // a few of A's polls, all with no free slot
    await start('second');
    expect(outcomesA).toEqual([]);
    expect(await store.countWebhooks()).toBe(2);
  });

  it.each(backends)('on %s, a full outbox reports as dropped only the messages that were stored (not a resend, not one to a closed conversation)', async (backend, makeStorage) => {
    if (backend === 'postgres' && makeStorage === undefined) return;
    const hook = await receiver(() => 500);
    const outcomes: string[] = [];
    const store = makeStorage === undefined ? outbox() : await makeStorage();
    if (makeStorage !== undefined) stores.push(store);
    const dispatcher = dispatcherFor({
      endpoints: [{ url: hook.url, secret: SECRET, events: ['message.created'] }],
      logger: silent,
      store,
      baseDelayMs: 60_000,
      maxPending: 1,
      onOutcome: (_e, outcome) => outcomes.push(outcome),
    });
    store.setWebhookOutbox(dispatcher.writer);
    const site = await store.getDefaultSite();
    const visitor = await store.createVisitor(site.id);
    const open = (await store.startConversation({ siteId: site.id, visitorId: visitor.id, clientId: 'open' })).conversation;
    const closed = (await store.startConversation({ siteId: site.id, visitorId: visitor.id, clientId: 'closed' })).conversation;
    await store.closeConversation(closed.id, 'visitor');
    const send = (conversationId: string, clientId: string) =>
      store.appendMessage({ conversationId, clientId, author: { role: 'visitor', id: visitor.id }, kind: 'text', text: clientId });
    await send(open.id, 'm1'); // fills the outbox (its delivery waits 60 s for a retry)
    await expect.poll(() => outcomes).toEqual(['retried']);
    expect((await send(open.id, 'm1')).duplicate).toBe(true);
    await expect(send(closed.id, 'late')).rejects.toMatchObject({ code: 'CONVERSATION_CLOSED' });
    await send(open.id, 'm2'); // stored, its webhook does not fit
    await expect.poll(() => outcomes.length).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(outcomes).toEqual(['retried', 'dropped']);
  });

  it('refuses bad endpoints with CONFIG_INVALID', () => {
    const store = outbox();
    const make = (endpoint: { url: string; secret: string; events?: never[] }) => () => createWebhookDispatcher({ endpoints: [endpoint], logger: silent, store });
    for (const bad of [{ url: 'not a url', secret: SECRET }, { url: 'ftp://x.example/', secret: SECRET }, { url: 'https://x.example/', secret: 'short' }, { url: 'https://x.example/', secret: SECRET, events: ['nope' as never] }]) {
      expect(make(bad)).toThrow(ParleyError);
    }
    // A stored delivery names its endpoint by URL, so one URL twice (with two secrets) is refused.
    const twice = () => createWebhookDispatcher({ endpoints: [{ url: 'https://x.example/', secret: SECRET }, { url: 'https://x.example/', secret: `${SECRET}2` }], logger: silent, store });
    expect(twice).toThrow(/listed twice/);
  });
});

// Two nodes share one outbox: a file both SQLite connections open, or one Postgres schema.
const sharedOutboxes: Array<[string, (() => Promise<[Storage, Storage]>) | undefined]> = [
  [
    'sqlite file',
    async () => {
      const path = join(dir, `shared-${Math.random().toString(36).slice(2)}.db`);
      return [outbox(path), outbox(path)];
    },
  ],
  [
    'postgres',
    DATABASE_URL === undefined
      ? undefined
      : async () => {
          const schema = nextTestSchema();
          const a = await createPostgresStorage({ connectionString: DATABASE_URL!, schema });
          const b = await createPostgresStorage({ connectionString: DATABASE_URL!, schema });
          stores.push(a, b);
          return [a, b];
        },
  ],
];
describe.each(sharedOutboxes)('webhooks from two nodes on one %s outbox', (backend, makeOutboxes) => {
  it.skipIf(makeOutboxes === undefined)('attempts each retry on exactly one node', async () => {
    // Every first attempt fails, so every delivery goes back to the outbox where both nodes poll for it.
    const seen = new Set<string>();
    const hook = await receiver((n) => {
      const id = String(hook.received[n]!.headers['parley-delivery']);
      if (seen.has(id)) return 200;
      seen.add(id);
      return 503;
    });
    const [storeA, storeB] = await makeOutboxes!();
    const options = { endpoints: [{ url: hook.url, secret: SECRET }], logger: silent, baseDelayMs: 40, maxDelayMs: 40, pollMs: 10 };
    const a = dispatcherFor({ ...options, store: storeA, owner: 'node-a' });
    const b = dispatcherFor({ ...options, store: storeB, owner: 'node-b' });
    for (let i = 0; i < 10; i++) (i % 2 === 0 ? a : b).emit(ratingEvent(i % 5));
    await hook.waitFor(20);
    await expect.poll(() => a.pending(), { timeout: 5000 }).toBe(0);
    await new Promise((r) => setTimeout(r, 150));
    expect(hook.received).toHaveLength(20);
    const attemptsById = new Map<string, string[]>();
    for (const r of hook.received) {
      const id = String(r.headers['parley-delivery']);
      attemptsById.set(id, [...(attemptsById.get(id) ?? []), String(r.headers['parley-attempt'])]);
    }
    expect(attemptsById.size).toBe(10);
    for (const attempts of attemptsById.values()) expect(attempts).toEqual(['1', '2']);
  });

  it.skipIf(makeOutboxes === undefined)("takes over a stuck node's delivery once its lease lapses", async () => {
    // Node A's attempt hangs (its receiver connection never answers, as if A froze mid-request); A's lease is short.
    let requests = 0;
    const held: Array<() => void> = [];
    const stuck = createHttpServer((req, res) => {
      requests++;
      req.resume();
      if (requests === 1) held.push(() => res.writeHead(200).end());
      else res.writeHead(200).end();
    });
    await new Promise<void>((resolve) => stuck.listen(0, '127.0.0.1', resolve));
    closers.push(async () => {
      for (const release of held) release();
      stuck.closeAllConnections();
      await new Promise<void>((resolve) => stuck.close(() => resolve()));
    });
    const url = `http://127.0.0.1:${(stuck.address() as { port: number }).port}/hooks`;
    const [storeA, storeB] = await makeOutboxes!();
    const a = dispatcherFor({ endpoints: [{ url, secret: SECRET }], logger: silent, store: storeA, owner: 'node-a', leaseMs: 2000, pollMs: 60_000 });
    a.emit(ratingEvent(4));
    await expect.poll(() => requests).toBe(1);
    const b = dispatcherFor({ endpoints: [{ url, secret: SECRET }], logger: silent, store: storeB, owner: 'node-b', pollMs: 20 });
    // Not before the lease lapses…
    await new Promise((r) => setTimeout(r, 200));
    expect(requests).toBe(1);
    // …then node B delivers it and removes it from the outbox.
    await expect.poll(() => requests, { timeout: 6000 }).toBe(2);
    await expect.poll(() => b.pending()).toBe(0);
  });
});

const REDIS_URL = process.env.REDIS_URL;
describe.skipIf(DATABASE_URL === undefined || REDIS_URL === undefined)('webhooks from two running nodes (Postgres + Redis)', () => {
  it('sends each event once, from the node that made the change, and retries it on one node only', async () => {
    // Every delivery's first attempt is refused with 503, so every retry goes through the shared outbox.
    const attempts = new Map<string, number>();
    const hook = await receiver((n) => {
      const id = String(hook.received[n]!.headers['parley-delivery']);
      attempts.set(id, (attempts.get(id) ?? 0) + 1);
      return attempts.get(id) === 1 ? 503 : 200;
    });
    const schema = nextTestSchema();
    const prefix = `parley_test_hooks_${Math.random().toString(36).slice(2)}:`;
    const node = async () => {
      const storage = await createPostgresStorage({ connectionString: DATABASE_URL!, schema });
      stores.push(storage);
      const fanout = await createRedisFanout({ url: REDIS_URL!, prefix });
      closers.push(() => fanout.close());
      const server = createServer({
        secret: 's'.repeat(40),
        logger: silent,
        storage,
        fanout,
        webhooks: { endpoints: [{ url: hook.url, secret: SECRET, events: ['conversation.created', 'message.created'] }], baseDelayMs: 30, maxDelayMs: 30, pollMs: 10 },
      });
      servers.push(server);
      return { server, url: (await server.listen(0, '127.0.0.1')).url };
    };
    const a = await node();
    const b = await node();
    const { token } = await a.server.createAgent({ name: 'Alice' });
    const v = await connectVisitor(a.url);
    clients.push(v.client);
    const agent = await connectAgent(b.url, token);
    clients.push(agent.client);
    const started = await v.client.request({ type: 'conversation.start', clientId: 's1' });
    const conversationId = (started as { conversation: { id: string } }).conversation.id;
    await agent.client.request({ type: 'conversation.join', conversationId, afterSeq: 0 });
    for (let i = 0; i < 5; i++) {
      await v.client.request({ type: 'message.send', conversationId, clientId: `v${i}`, text: `from the visitor ${i}` });
      await agent.client.request({ type: 'message.send', conversationId, clientId: `a${i}`, text: `from the agent ${i}` });
    }
    // 11 events (one created, ten messages), each refused once and then delivered once.
    await hook.waitFor(22);
    await new Promise((r) => setTimeout(r, 200));
    expect(hook.received).toHaveLength(22);
    expect([...attempts.values()]).toEqual(Array(11).fill(2));
    const delivered = hook.received.filter((r) => r.headers['parley-attempt'] === '2').map((r) => JSON.parse(r.body) as WebhookPayload);
    const messageIds = delivered.filter((p) => p.event === 'message.created').map((p) => (p.data.message as { clientId: string }).clientId);
    expect(messageIds.sort()).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'v0', 'v1', 'v2', 'v3', 'v4']);
    expect(delivered.filter((p) => p.event === 'conversation.created')).toHaveLength(1);
  });
});

describe('verifyWebhookSignature', () => {
  const body = '{"id":"wh_1"}';
  const nowMs = 1_700_000_000_000;
  const t = nowMs / 1000;
  it('accepts a fresh, matching signature and nothing else', () => {
    const header = signWebhook(SECRET, t, body);
    expect(verifyWebhookSignature({ secret: SECRET, header, body, nowMs })).toBe(true);
    expect(verifyWebhookSignature({ secret: SECRET, header, body: `${body} `, nowMs })).toBe(false);
    expect(verifyWebhookSignature({ secret: `${SECRET}x`, header, body, nowMs })).toBe(false);
    expect(verifyWebhookSignature({ secret: SECRET, header, body, nowMs: nowMs + 301_000 })).toBe(false);
    expect(verifyWebhookSignature({ secret: SECRET, header: signWebhook(SECRET, t + 1, body).replace(/^t=\d+/, `t=${t}`), body, nowMs })).toBe(false);
    expect(verifyWebhookSignature({ secret: SECRET, header: undefined, body, nowMs })).toBe(false);
    expect(verifyWebhookSignature({ secret: SECRET, header: 'garbage', body, nowMs })).toBe(false);
  });
});
