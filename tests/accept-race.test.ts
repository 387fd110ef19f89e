// 20 agent sockets accept the same queued conversations at the same moment, and automatic assignment runs on every
// node at once: each conversation must be assigned exactly once, in storage and in the frames the agents got. On
// SQLite with one server process always; across two processes on Postgres + Redis when DATABASE_URL and REDIS_URL
// are set.

import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, type ServerFrame } from '@parley/protocol';
import { createPostgresStorage, createSqliteStorage, hashAgentToken, type Storage } from '@parley/server';
import { startServerProcess, type ServerProcess } from './support/server-process.js';
import { DATABASE_URL, makeSharedStores, REDIS_URL, type SharedStores } from './support/shared-stores.js';

const AGENTS = 20;
const CONVERSATIONS = 6;
const dir = mkdtempSync(join(tmpdir(), 'parley-accept-race-'));
const processes: ServerProcess[] = [];
const disposers: Array<() => Promise<void>> = [];
afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  for (const dispose of disposers) await dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** A bare socket that records every frame: the test inspects exactly what each agent was sent. */
interface Peer {
  frames: ServerFrame[];
  request(frame: Record<string, unknown>): Promise<ServerFrame>;
  close(): void;
}
let refs = 0;
async function connect(port: number, role: 'visitor' | 'agent', token?: string): Promise<Peer> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/${role}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const frames: ServerFrame[] = [];
  const waiting = new Map<string, (f: ServerFrame) => void>();
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as ServerFrame;
    frames.push(frame);
    const ref = 'ref' in frame ? frame.ref : undefined;
    if (ref !== undefined) waiting.get(ref)?.(frame);
  });
  const peer: Peer = {
    frames,
    request(frame) {
      const ref = `r${++refs}`;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no reply to ${JSON.stringify(frame)}`)), 15_000);
        waiting.set(ref, (f) => {
          clearTimeout(timer);
          resolve(f);
        });
        ws.send(JSON.stringify({ ...frame, ref }));
      });
    },
    close: () => ws.close(),
  };
  const welcome = await peer.request({ type: 'hello', v: PROTOCOL_VERSION, role, ...(token === undefined ? {} : { token }) });
  if (welcome.type !== 'welcome') throw new Error(JSON.stringify(welcome));
  return peer;
}

/** Creates the agents straight in storage (20 `create-agent` processes would only slow the test down). */
async function createAgents(storage: Storage): Promise<Array<{ id: string; token: string }>> {
  const site = await storage.getDefaultSite();
  const agents: Array<{ id: string; token: string }> = [];
  for (let i = 0; i < AGENTS; i++) {
    const token = `pat_race_${randomBytes(16).toString('hex')}`;
    const agent = await storage.createAgent({ siteId: site.id, name: `Racer ${i}`, tokenHash: hashAgentToken(token) });
    agents.push({ id: agent.id, token });
  }
  return agents;
}

async function race(nodes: ServerProcess[], storage: Storage): Promise<void> {
  const agentRecords = await createAgents(storage);
  const agents = await Promise.all(agentRecords.map((a, i) => connect(nodes[i % nodes.length]!.port, 'agent', a.token)));
  const conversationIds: string[] = [];
  for (let i = 0; i < CONVERSATIONS; i++) {
    const visitor = await connect(nodes[0]!.port, 'visitor');
    const joined = await visitor.request({ type: 'conversation.start', clientId: `race-${i}` });
    if (joined.type !== 'conversation.joined') throw new Error(JSON.stringify(joined));
    const escalated = await visitor.request({ type: 'conversation.escalate', conversationId: joined.conversation.id, reason: 'requested', transcript: [] });
    expect(escalated).toMatchObject({ status: 'queued' });
    conversationIds.push(joined.conversation.id);
  }

  // Every agent accepts every conversation, all at once.
  const replies = await Promise.all(
    agents.map((agent) => Promise.all(conversationIds.map((conversationId) => agent.request({ type: 'conversation.accept', conversationId })))),
  );

  for (const [c, conversationId] of conversationIds.entries()) {
    const winners = replies.flatMap((perAgent, a) => (perAgent[c]!.type === 'conversation.assigned' ? [agentRecords[a]!.id] : []));
    expect(winners, `winners of ${conversationId}`).toHaveLength(1);
    for (const perAgent of replies) {
      const reply = perAgent[c]!;
      if (reply.type !== 'conversation.assigned') expect(reply).toMatchObject({ type: 'error', code: 'AUTH_FORBIDDEN' });
    }
    const stored = await storage.getConversation(conversationId);
    expect(stored).toMatchObject({ status: 'assigned', agent: { id: winners[0] } });
    const { messages } = await storage.listMessages({ conversationId, afterSeq: 0, limit: 50 });
    // One "joined" event: the conversation changed hands once.
    expect(messages.filter((m) => m.kind === 'event')).toHaveLength(1);
    expect(messages[0]?.author.id).toBe(winners[0]);
  }
  // Across all sockets, each conversation produced exactly one successful reply.
  const assignedReplies = agents.flatMap((a) => a.frames.filter((f) => f.type === 'conversation.assigned' && f.ref !== undefined));
  expect(assignedReplies).toHaveLength(CONVERSATIONS);
  for (const agent of agents) agent.close();
}

/** Automatic assignment: every node assigns on its own triggers, at the same time; capacity 1 each. */
async function autoRace(nodes: ServerProcess[], storage: Storage): Promise<void> {
  const agentRecords = await createAgents(storage);
  const agents = await Promise.all(agentRecords.map((a, i) => connect(nodes[i % nodes.length]!.port, 'agent', a.token)));
  await Promise.all(agents.map((a) => a.request({ type: 'agent.availability', availability: 'online', capacity: 1 })));
  const visitors = await Promise.all(Array.from({ length: CONVERSATIONS }, (_, i) => connect(nodes[i % nodes.length]!.port, 'visitor')));
  const conversationIds = await Promise.all(
    visitors.map(async (visitor, i) => {
      const joined = await visitor.request({ type: 'conversation.start', clientId: `auto-${i}` });
      if (joined.type !== 'conversation.joined') throw new Error(JSON.stringify(joined));
      return joined.conversation.id;
    }),
  );
  // All escalations at once, half on each node: both nodes drain the same queue concurrently.
  await Promise.all(
    visitors.map((visitor, i) => visitor.request({ type: 'conversation.escalate', conversationId: conversationIds[i], reason: 'requested', transcript: [] })),
  );
  const end = Date.now() + 20_000;
  let stored = await Promise.all(conversationIds.map((id) => storage.getConversation(id)));
  while (stored.some((c) => c?.status !== 'assigned')) {
    if (Date.now() > end) throw new Error(`not all assigned: ${JSON.stringify(stored.map((c) => c?.status))}`);
    await new Promise((r) => setTimeout(r, 50));
    stored = await Promise.all(conversationIds.map((id) => storage.getConversation(id)));
  }
  await new Promise((r) => setTimeout(r, 300)); // let a second, wrong announcement show itself
  const owners = stored.map((c) => c!.agent!.id);
  // Capacity 1: six conversations, six different agents.
  expect(new Set(owners).size).toBe(CONVERSATIONS);
  for (const [i, conversationId] of conversationIds.entries()) {
    const { messages } = await storage.listMessages({ conversationId, afterSeq: 0, limit: 50 });
    expect(messages.filter((m) => m.kind === 'event'), `events of ${conversationId}`).toHaveLength(1);
    expect(visitors[i]!.frames.filter((f) => f.type === 'agent.joined')).toEqual([{ type: 'agent.joined', conversationId, agent: expect.objectContaining({ id: owners[i] }) }]);
    // Every agent socket heard exactly one assignment of it, naming the owner.
    for (const agent of agents) {
      const pushes = agent.frames.filter((f) => f.type === 'conversation.assigned' && f.conversationId === conversationId);
      expect(pushes.map((f) => f.type === 'conversation.assigned' && f.agent.id)).toEqual([owners[i]]);
    }
  }
  for (const peer of [...agents, ...visitors]) peer.close();
}

describe('automatic assignment from every node at once', () => {
  it(`gives each of ${CONVERSATIONS} conversations to one agent, within capacity (SQLite, one node)`, async () => {
    const db = join(dir, 'auto.db');
    const storage = createSqliteStorage({ path: db });
    disposers.push(() => storage.close());
    const node = await startServerProcess({ db, env: { PARLEY_ASSIGNMENT: 'auto' } });
    processes.push(node);
    await autoRace([node], storage);
  }, 60_000);

  it.skipIf(DATABASE_URL === undefined || REDIS_URL === undefined)(
    `gives each of ${CONVERSATIONS} conversations to one agent, within capacity, on two nodes (Postgres + Redis)`,
    async () => {
      const stores: SharedStores = makeSharedStores('auto');
      disposers.push(() => stores.dispose());
      const storage = await createPostgresStorage({ connectionString: DATABASE_URL!, schema: stores.schema, poolSize: 2 });
      disposers.unshift(() => storage.close());
      const env = { ...stores.env, PARLEY_ASSIGNMENT: 'auto' };
      const nodes = [
        await startServerProcess({ db: join(dir, 'auto-a.db'), env }),
        await startServerProcess({ db: join(dir, 'auto-b.db'), env }),
      ];
      processes.push(...nodes);
      await autoRace(nodes, storage);
    },
    60_000,
  );
});

describe('accepting the same conversations at once', () => {
  it(`assigns each of ${CONVERSATIONS} conversations exactly once among ${AGENTS} agents (SQLite, one node)`, async () => {
    const db = join(dir, 'race.db');
    const storage = createSqliteStorage({ path: db });
    disposers.push(() => storage.close());
    const node = await startServerProcess({ db });
    processes.push(node);
    await race([node], storage);
  }, 60_000);

  it.skipIf(DATABASE_URL === undefined || REDIS_URL === undefined)(
    `assigns each of ${CONVERSATIONS} conversations exactly once among ${AGENTS} agents on two nodes (Postgres + Redis)`,
    async () => {
      const stores: SharedStores = makeSharedStores('race');
      disposers.push(() => stores.dispose());
      const storage = await createPostgresStorage({ connectionString: DATABASE_URL!, schema: stores.schema, poolSize: 2 });
      disposers.unshift(() => storage.close());
      const nodes = [
        await startServerProcess({ db: join(dir, 'pg-a.db'), env: stores.env }),
        await startServerProcess({ db: join(dir, 'pg-b.db'), env: stores.env }),
      ];
      processes.push(...nodes);
      await race(nodes, storage);
    },
    60_000,
  );
});
