import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createJsonLogger } from './logger.js';
import { Counter, Gauge, Histogram, Registry } from './metrics.js';
import { createServer, type CreateServerOptions, type ParleyServer } from './server.js';
import type { Storage } from './storage/storage.js';
import { connectAgent, connectVisitor, type TestClient } from './test-client.js';
import { DATABASE_URL, dropTestSchemas, postgresTestStorage } from './test-postgres.js';

const silent = createJsonLogger({ level: 'silent' });
const servers: ParleyServer[] = [];
const clients: TestClient[] = [];
const stores: Storage[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 50 })));
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
afterAll(() => dropTestSchemas());

async function start(options: CreateServerOptions = {}) {
  const server = createServer({ secret: 's'.repeat(40), logger: silent, ...options });
  servers.push(server);
  const { url } = await server.listen(0, '127.0.0.1');
  return { server, url };
}

/** Parses the text format into `name{labels}` → value, checking every sample has HELP and TYPE lines before it. */
function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const typed = new Set<string>();
  const helped = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\w+) (.+)$/.exec(line);
    if (meta !== null) {
      (meta[1] === 'HELP' ? helped : typed).add(meta[2]!);
      if (meta[1] === 'TYPE') expect(['counter', 'gauge', 'histogram']).toContain(meta[3]);
      continue;
    }
    const sample = /^(\w+)(\{[^}]*\})? (\S+)$/.exec(line);
    expect(sample, line).not.toBeNull();
    const family = sample![1]!.replace(/_(bucket|sum|count)$/, '');
    expect(typed.has(sample![1]!) || typed.has(family), `TYPE before ${line}`).toBe(true);
    expect(helped.has(sample![1]!) || helped.has(family), `HELP before ${line}`).toBe(true);
    samples.set(`${sample![1]}${sample![2] ?? ''}`, Number(sample![3]));
  }
  return samples;
}

describe('Registry', () => {
  it('renders counters, gauges and cumulative histograms with escaped labels', async () => {
    const registry = new Registry();
    const c = registry.register(new Counter('t_total', 'A counter.'));
    const g = registry.register(new Gauge('t_gauge', 'A gauge.'));
    const h = registry.register(new Histogram('t_seconds', 'A histogram.', [1, 5]));
    c.inc({ code: 'a"b\\c\nd' }, 2);
    c.inc({ code: 'a"b\\c\nd' });
    g.set({}, 7);
    for (const v of [0.5, 3, 3, 9]) h.observe({}, v);
    const text = await registry.render();
    expect(text).toContain('t_total{code="a\\"b\\\\c\\nd"} 3');
    const s = parse(text);
    expect(s.get('t_gauge')).toBe(7);
    expect(s.get('t_seconds_bucket{le="1"}')).toBe(1);
    expect(s.get('t_seconds_bucket{le="5"}')).toBe(3);
    expect(s.get('t_seconds_bucket{le="+Inf"}')).toBe(4);
    expect(s.get('t_seconds_sum')).toBe(15.5);
    expect(s.get('t_seconds_count')).toBe(4);
  });

  it('an incrementer adds to the same series as inc() with those labels, and ignores negative steps', () => {
    const c = new Counter('t_total', 'A counter.');
    const inc = c.incrementer({ role: 'visitor', kind: 'text' });
    inc();
    inc(2);
    inc(-5);
    c.inc({ kind: 'text', role: 'visitor' });
    expect(c.get({ role: 'visitor', kind: 'text' })).toBe(4);
    expect(c.get({ role: 'agent', kind: 'text' })).toBe(0);
  });
});

const backends: Array<[string, ((now: () => number) => Promise<Storage>) | undefined]> = [['sqlite', undefined], ['postgres', DATABASE_URL === undefined ? undefined : postgresTestStorage]];
describe.each(backends)('GET /metrics on %s', (backend, makeStorage) => {
  it.skipIf(backend === 'postgres' && makeStorage === undefined)('counts connections, messages, queue, wait, assignment and errors from a real flow', async () => {
    let now = 1_700_000_000_000;
    // The storage stamps queuedAt with its clock: give it the test's.
    const storage = makeStorage === undefined ? undefined : await makeStorage(() => now);
    if (storage !== undefined) stores.push(storage);
    const { server, url } = await start({ now: () => now, ...(storage === undefined ? {} : { storage }) });
    const { token } = await server.createAgent({ name: 'Alice' });
    const v = await connectVisitor(url);
    clients.push(v.client);
    const a = await connectAgent(url, token);
    clients.push(a.client);
    const started = await v.client.request({ type: 'conversation.start', clientId: 's1' });
    const conversationId = (started as { conversation: { id: string } }).conversation.id;
    for (const id of ['m1', 'm2', 'm2']) await v.client.request({ type: 'message.send', conversationId, clientId: id, text: 'hi' });
    await v.client.request({ type: 'conversation.escalate', conversationId, reason: 'asked_for_human', transcript: [] });
    now += 42_000;

    let s = parse(await (await fetch(`${url}/metrics`)).text());
    expect(s.get('parley_connections{role="visitor"}')).toBe(1);
    expect(s.get('parley_connections{role="agent"}')).toBe(1);
    // The resend of m2 is a duplicate: stored once, counted once.
    expect(s.get('parley_messages_total{role="visitor",kind="text"}')).toBe(2);
    expect(s.get('parley_queue_length{site="demo"}')).toBe(1);
    expect(s.get('parley_queue_oldest_wait_seconds{site="demo"}')).toBe(42);
    expect(s.get('parley_escalations_total{reason="asked_for_human"}')).toBe(1);

    await a.client.request({ type: 'conversation.accept', conversationId });
    await v.client.request({ type: 'message.send', conversationId: 'c_missing', clientId: 'x', text: 'hi' });
    expect((await fetch(`${url}/api/me`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);

    s = parse(await (await fetch(`${url}/metrics`)).text());
    expect(s.get('parley_queue_length{site="demo"}')).toBe(0);
    expect(s.get('parley_queue_wait_seconds_count')).toBe(1);
    expect(s.get('parley_queue_wait_seconds_sum')).toBe(42);
    expect(s.get('parley_queue_wait_seconds_bucket{le="30"}')).toBe(0);
    expect(s.get('parley_queue_wait_seconds_bucket{le="60"}')).toBe(1);
    expect(s.get('parley_assignment_duration_seconds_count')).toBe(1);
    expect(s.get('parley_conversations_total{event="created"}')).toBe(1);
    expect(s.get('parley_conversations_total{event="assigned"}')).toBe(1);
    // The agent's "joined" event message is written inside the assignment, not through message.send.
    expect(s.get('parley_messages_total{role="visitor",kind="text"}')).toBe(2);
    expect(s.get('parley_errors_total{code="CONVERSATION_NOT_FOUND",transport="ws"}')).toBe(1);
    expect(s.get('parley_errors_total{code="AUTH_INVALID_TOKEN",transport="http"}')).toBe(1);
    expect(s.get('parley_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

});

describe('GET /metrics access', () => {
  it('needs the bearer token when one is configured', async () => {
    const { url } = await start({ metricsToken: 'scrape-token-123' });
    const bare = await fetch(`${url}/metrics`);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toContain('Bearer');
    expect((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer scrape-token-123' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await ok.text()).toContain('# TYPE parley_messages_total counter');
  });
});
