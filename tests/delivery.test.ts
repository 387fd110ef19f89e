// Delivery under faults: real transport clients ↔ fault-injecting TCP proxy ↔ the real server process on SQLite.
// Every acknowledged message must reach both sides exactly once, in seq order, with no gaps, through drops,
// cuts mid-frame, closes during the handshake, a kill -9 and a graceful restart of the server.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, memoryStorage, type DeliveredMessage, type ParleyClient } from '@parley/transport';
import type { MessageAckFrame } from '@parley/protocol';
import { startFaultProxy, type Fault } from './support/fault-proxy.js';
import { runServerCommand, startServerProcess, type ServerProcess } from './support/server-process.js';

const MESSAGES_PER_SIDE = Number(process.env.PARLEY_DELIVERY_MESSAGES ?? 1000);
const FAULTS = Number(process.env.PARLEY_DELIVERY_FAULTS ?? 75);
const FAULT_KINDS: Fault[] = ['reset', 'cut-mid-frame', 'close-in-handshake'];

const dir = mkdtempSync(join(tmpdir(), 'parley-delivery-'));
const db = join(dir, 'parley.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Side {
  name: 'visitor' | 'agent';
  client: ParleyClient;
  delivered: DeliveredMessage[];
  acks: Map<string, MessageAckFrame>;
  sent: Map<string, string>;
  pending: Promise<MessageAckFrame>[];
  /** Error events by code: expected ones (timeouts, closes) are counted, not fatal. */
  errors: Map<string, number>;
}

const describeSide = (s: Side) =>
  `${s.name}: state=${s.client.state} sent=${s.sent.size} acked=${s.acks.size} delivered=${s.delivered.length} ` +
  `lastSeq=${s.delivered.at(-1)?.seq ?? 0} errors=${JSON.stringify(Object.fromEntries(s.errors))}`;

function makeSide(name: Side['name'], url: () => string, getToken: () => string | undefined, onToken?: (t: string) => void): Side {
  const client = createClient({
    url,
    role: name,
    WebSocket: WebSocket as never,
    getToken,
    storage: memoryStorage(),
    // Short delays keep the test quick; the schedule itself is asserted in the transport's unit tests.
    backoff: { baseMs: 25, capMs: 400, stableAfterMs: 2000 },
    heartbeatMs: 2000,
    requestTimeoutMs: 4000,
    maxOutbox: 5000,
  });
  const side: Side = { name, client, delivered: [], acks: new Map(), sent: new Map(), pending: [], errors: new Map() };
  client.on('message', (m) => side.delivered.push(m));
  client.on('error', (e) => side.errors.set(e.code, (side.errors.get(e.code) ?? 0) + 1));
  client.on('ack', (a) => side.acks.set(a.clientId, a));
  if (onToken) client.on('token', onToken);
  return side;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what()}`);
    await sleep(20);
  }
}

describe('delivery under faults', () => {
  it(`delivers ${MESSAGES_PER_SIDE} messages each way exactly once, in order, through ${FAULTS}+ faults and restarts`, async () => {
    // The test floods on purpose; the rate limit is exercised by the server's own tests.
    const env = { PARLEY_MESSAGE_RATE: '5000' };
    let server: ServerProcess = await startServerProcess({ db, env });
    const proxy = await startFaultProxy(server.port);
    const agentOut = await runServerCommand(['create-agent', '--name', 'Delivery Agent', '--db', db]);
    const agentToken = (JSON.parse(agentOut.trim().split('\n').at(-1)!) as { token?: string }).token;
    expect(agentToken, `create-agent printed no token: ${agentOut}`).toBeTruthy();

    let visitorToken: string | undefined;
    const base = () => `ws://127.0.0.1:${proxy.port}`;
    const visitor = makeSide('visitor', () => `${base()}/ws/visitor`, () => visitorToken, (t) => (visitorToken = t));
    const agent = makeSide('agent', () => `${base()}/ws/agent`, () => agentToken);
    const sides = [visitor, agent];

    const conversation = await visitor.client.startConversation({ clientId: 'delivery-conversation' });
    await agent.client.join(conversation.id);

    const stats = { faults: 0, kills: 0, gracefulRestarts: 0 };
    let sending = true;
    const restart = async (how: 'kill' | 'stop') => {
      if (how === 'kill') {
        await server.kill();
        stats.kills++;
      } else {
        await server.stop();
        stats.gracefulRestarts++;
      }
      await sleep(100);
      server = await startServerProcess({ db, env });
      proxy.retarget(server.port);
    };

    const chaos = (async () => {
      let i = 0;
      while (sending || stats.faults < FAULTS) {
        await sleep(40 + (i % 5) * 15);
        // A fault only counts when it meets a live connection: wait for the clients to be back first.
        await until(() => proxy.liveConnections() >= 2, 10_000, () => 'clients to reconnect');
        proxy.inject(FAULT_KINDS[i % FAULT_KINDS.length]!);
        stats.faults++;
        i++;
        if (i === Math.floor(FAULTS / 3)) await restart('kill');
        if (i === Math.floor((2 * FAULTS) / 3)) await restart('stop');
      }
    })();

    for (let i = 0; i < MESSAGES_PER_SIDE; i++) {
      for (const side of sides) {
        const text = `${side.name}-${i}`;
        const { clientId, acked } = side.client.send(conversation.id, text);
        side.sent.set(clientId, text);
        acked.catch(() => {}); // failures surface below as missing acks
        side.pending.push(acked);
      }
      // Spread the sends over the fault schedule so faults meet traffic in flight.
      if (i % 4 === 3) await sleep(8);
    }
    sending = false;
    await chaos;

    const total = 2 * MESSAGES_PER_SIDE;
    await until(() => visitor.acks.size === MESSAGES_PER_SIDE && agent.acks.size === MESSAGES_PER_SIDE, 60_000, () => `every ack; ${sides.map(describeSide).join(' | ')}`);
    await until(() => visitor.delivered.length >= total && agent.delivered.length >= total, 60_000, () => `every delivery; ${sides.map(describeSide).join(' | ')}`);
    await sleep(300); // let any late duplicate show itself

    const report: Record<string, number | string>[] = [];
    for (const side of sides) {
      const seqs = side.delivered.map((m) => m.seq);
      const ids = side.delivered.map((m) => m.clientId);
      const duplicates = ids.length - new Set(ids).size;
      const outOfOrder = seqs.filter((s, i) => s !== i + 1).length;
      const allSent = new Map([...visitor.sent, ...agent.sent]);
      const lost = [...allSent.keys()].filter((id) => !ids.includes(id)).length;
      const wrongText = side.delivered.filter((m) => allSent.get(m.clientId) !== m.text).length;
      report.push({ side: side.name, sent: side.sent.size, acked: side.acks.size, delivered: side.delivered.length, lost, duplicates, outOfOrder, wrongText });
      expect(duplicates, `${side.name} duplicates`).toBe(0);
      expect(outOfOrder, `${side.name} seq order/gaps`).toBe(0);
      expect(lost, `${side.name} lost`).toBe(0);
      expect(wrongText, `${side.name} wrong text`).toBe(0);
      expect(seqs.at(-1)).toBe(total);
    }
    // Acks agree with deliveries: the seq a sender was given is the seq both sides saw.
    const bySeq = new Map(visitor.delivered.map((m) => [m.clientId, m.seq]));
    for (const side of sides) for (const [id, ack] of side.acks) expect(bySeq.get(id)).toBe(ack.seq);

    const figures = {
      messages: total,
      faults: stats.faults,
      proxyFaults: { ...proxy.counts },
      serverKills: stats.kills,
      gracefulRestarts: stats.gracefulRestarts,
      lost: report.reduce((n, r) => n + Number(r.lost), 0),
      duplicated: report.reduce((n, r) => n + Number(r.duplicates), 0),
      outOfOrder: report.reduce((n, r) => n + Number(r.outOfOrder), 0),
    };
    console.table(report);
    console.log('delivery figures', JSON.stringify(figures));
    mkdirSync('test-results', { recursive: true });
    writeFileSync('test-results/delivery.json', JSON.stringify({ figures, report }, null, 2));

    expect(stats.faults).toBeGreaterThanOrEqual(50);
    expect(proxy.counts.reset + proxy.counts['cut-mid-frame'] + proxy.counts['close-in-handshake']).toBeGreaterThanOrEqual(50);
    expect(stats.kills).toBeGreaterThanOrEqual(1);

    visitor.client.close();
    agent.client.close();
    await proxy.close();
    await server.stop();
  }, 180_000);
});
