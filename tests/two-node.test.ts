// Two real server processes on one Postgres schema and one Redis prefix. A visitor on node A chats with an agent on
// node B; node A is killed with -9 mid-conversation; the visitor resumes on node B. Every message must reach both
// sides exactly once, in seq order, with no gaps. Runs when DATABASE_URL and REDIS_URL are set.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, memoryStorage, type DeliveredMessage, type ParleyClient } from '@parley/transport';
import type { MessageAckFrame } from '@parley/protocol';
import { runServerCommand, startServerProcess, type ServerProcess } from './support/server-process.js';
import { DATABASE_URL, makeSharedStores, REDIS_URL, type SharedStores } from './support/shared-stores.js';

const MESSAGES_PER_SIDE = 60;
const dir = mkdtempSync(join(tmpdir(), 'parley-two-node-'));
let stores: SharedStores | undefined;
const processes: ServerProcess[] = [];
afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await stores?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what()}`);
    await sleep(20);
  }
}

interface Side {
  name: 'visitor' | 'agent';
  client: ParleyClient;
  delivered: DeliveredMessage[];
  acks: Map<string, MessageAckFrame>;
  sent: Map<string, string>;
}

function makeSide(name: Side['name'], url: () => string, getToken: () => string | undefined, onToken?: (t: string) => void): Side {
  const client = createClient({
    url,
    role: name,
    WebSocket: WebSocket as never,
    getToken,
    storage: memoryStorage(),
    backoff: { baseMs: 25, capMs: 300, stableAfterMs: 2000 },
    heartbeatMs: 2000,
    requestTimeoutMs: 5000,
  });
  const side: Side = { name, client, delivered: [], acks: new Map(), sent: new Map() };
  client.on('message', (m) => side.delivered.push(m));
  client.on('ack', (a) => side.acks.set(a.clientId, a));
  if (onToken) client.on('token', onToken);
  return side;
}

describe.skipIf(DATABASE_URL === undefined || REDIS_URL === undefined)('two nodes on Postgres + Redis', () => {
  it('keeps a conversation whole when the visitor’s node is killed with -9 and the visitor resumes on the other', async () => {
    stores = makeSharedStores('twonode');
    // Each node has its own SQLite path for its secret file only; PARLEY_SECRET is shared, the data is in Postgres.
    const env = { ...stores.env, PARLEY_MESSAGE_RATE: '1000', PARLEY_AGENT_GRACE_MS: '60000' };
    const created = await runServerCommand(['create-agent', '--name', 'Node Agent', '--db', join(dir, 'cli.db')], env);
    const agentToken = (JSON.parse(created.trim().split('\n').at(-1)!) as { token: string }).token;
    const nodeA = await startServerProcess({ db: join(dir, 'a.db'), env });
    processes.push(nodeA);
    const nodeB = await startServerProcess({ db: join(dir, 'b.db'), env });
    processes.push(nodeB);

    let visitorNode = nodeA;
    let visitorToken: string | undefined;
    const visitor = makeSide('visitor', () => `ws://127.0.0.1:${visitorNode.port}/ws/visitor`, () => visitorToken, (t) => (visitorToken = t));
    const agent = makeSide('agent', () => `ws://127.0.0.1:${nodeB.port}/ws/agent`, () => agentToken);
    const sides = [visitor, agent];

    agent.client.connect();
    await until(() => agent.client.state === 'open', 10_000, () => `agent to connect (${agent.client.state})`);
    const conversation = await visitor.client.startConversation({ clientId: 'two-node' });
    // The agent's presence lives in Postgres, so node A knows someone is online on node B.
    expect(await visitor.client.request({ type: 'conversation.escalate', conversationId: conversation.id, reason: 'requested', transcript: [] })).toMatchObject({
      status: 'queued',
    });
    expect(await agent.client.request({ type: 'conversation.accept', conversationId: conversation.id })).toMatchObject({ type: 'conversation.assigned' });
    await agent.client.join(conversation.id);

    const send = (side: Side, i: number) => {
      const text = `${side.name}-${i}`;
      const { clientId, acked } = side.client.send(conversation.id, text);
      side.sent.set(clientId, text);
      acked.catch(() => {}); // a missing ack fails the wait below
    };
    const half = MESSAGES_PER_SIDE / 2;
    for (let i = 0; i < half; i++) {
      for (const side of sides) send(side, i);
      if (i % 5 === 4) await sleep(5);
    }
    // The agent's messages reach the visitor on A only through Redis; once some have, kill A while others are still
    // in flight.
    const fromAgent = () => visitor.delivered.filter((m) => agent.sent.has(m.clientId)).length;
    await until(() => fromAgent() >= 5, 15_000, () => `agent messages to reach the visitor on A (${fromAgent()})`);
    await nodeA.kill();
    visitorNode = nodeB;
    for (let i = half; i < MESSAGES_PER_SIDE; i++) {
      for (const side of sides) send(side, i);
      if (i % 5 === 4) await sleep(5);
    }

    await until(
      () => visitor.acks.size === MESSAGES_PER_SIDE && agent.acks.size === MESSAGES_PER_SIDE,
      30_000,
      () => `every ack: visitor ${visitor.acks.size}, agent ${agent.acks.size}`,
    );
    // The join event plus every text message from both sides.
    const total = 2 * MESSAGES_PER_SIDE + 1;
    await until(() => visitor.delivered.length >= total && agent.delivered.length >= total, 30_000, () => `every delivery: visitor ${visitor.delivered.length}, agent ${agent.delivered.length}`);
    await sleep(300); // let a late duplicate show itself

    const allSent = new Map([...visitor.sent, ...agent.sent]);
    for (const side of sides) {
      const seqs = side.delivered.map((m) => m.seq);
      expect(seqs, `${side.name}: seqs 1..${total} in order, no gaps, no duplicates`).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      const texts = side.delivered.filter((m) => m.kind === 'text');
      expect(new Set(texts.map((m) => m.clientId)).size, `${side.name} duplicates`).toBe(texts.length);
      for (const [clientId, text] of allSent) expect(texts.find((m) => m.clientId === clientId)?.text, `${side.name} lost ${text}`).toBe(text);
      // Each side's own messages keep the order they were sent in.
      const own = texts.filter((m) => side.sent.has(m.clientId)).map((m) => m.text);
      expect(own).toEqual([...side.sent.values()]);
    }
    for (const side of sides) for (const [id, ack] of side.acks) expect(visitor.delivered.find((m) => m.clientId === id)?.seq).toBe(ack.seq);
    expect(visitorNode).toBe(nodeB);

    visitor.client.close();
    agent.client.close();
  }, 120_000);
});
