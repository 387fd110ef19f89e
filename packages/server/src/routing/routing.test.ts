// Routing over real sockets on one node (SQLite in memory): auto-assignment order and capacity, transfer,
// grace-period requeue, offline when nobody is online, and the moving-average wait estimate the visitor sees.
// The clock is a variable so idle order, waits and the grace period are exact; the sweep runs on real timers.

import { afterEach, describe, expect, it } from 'vitest';
import type { ServerFrame } from '@parley/protocol';
import { createJsonLogger } from '../logger.js';
import { createServer, type CreateServerOptions, type ParleyServer } from '../server.js';
import { connectAgent, connectVisitor, type TestClient } from '../test-client.js';

const secret = 's'.repeat(40);
const silent = createJsonLogger({ level: 'silent' });
const servers: ParleyServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 100 })));
});

let clock = 1_700_000_000_000;
const now = () => clock;

async function start(routing: CreateServerOptions['routing']) {
  const server = createServer({ secret, logger: silent, now, routing });
  servers.push(server);
  const { url } = await server.listen(0, '127.0.0.1');
  return { server, url };
}

async function agent(server: ParleyServer, url: string, name: string) {
  const { token, agent: record } = await server.createAgent({ name });
  const { client } = await connectAgent(url, token);
  clients.push(client);
  return { client, id: record.id, name };
}

/** A visitor with a conversation, escalated; resolves with the `conversation.escalated` reply. */
async function waitingVisitor(url: string) {
  const { client } = await connectVisitor(url);
  clients.push(client);
  const joined = await client.request({ type: 'conversation.start', clientId: `c-${Math.random()}` });
  if (joined.type !== 'conversation.joined') throw new Error(JSON.stringify(joined));
  const conversationId = joined.conversation.id;
  const escalated = await client.request({ type: 'conversation.escalate', conversationId, reason: 'requested', transcript: [] });
  return { client, conversationId, escalated };
}

const joinedBy = (conversationId: string) => (f: ServerFrame) => f.type === 'agent.joined' && f.conversationId === conversationId;
const leftBy = (conversationId: string) => (f: ServerFrame) => f.type === 'agent.left' && f.conversationId === conversationId;

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('automatic assignment', () => {
  it('gives each conversation to the least loaded agent, then the longest idle', async () => {
    const { server, url } = await start({ assignment: 'auto' });
    const ann = await agent(server, url, 'Ann');
    clock += 1000;
    const ben = await agent(server, url, 'Ben');
    clock += 1000;

    // Both idle: Ann connected first, so she has been idle longest.
    const v1 = await waitingVisitor(url);
    expect(v1.escalated).toMatchObject({ status: 'queued' });
    expect(await v1.client.next(joinedBy(v1.conversationId))).toMatchObject({ agent: { id: ann.id } });
    clock += 1000;
    // Ann has one, Ben none: least loaded wins.
    const v2 = await waitingVisitor(url);
    expect(await v2.client.next(joinedBy(v2.conversationId))).toMatchObject({ agent: { id: ben.id } });
    clock += 1000;
    // One each: Ann's last assignment is older than Ben's.
    const v3 = await waitingVisitor(url);
    expect(await v3.client.next(joinedBy(v3.conversationId))).toMatchObject({ agent: { id: ann.id } });

    // The winner is told through the site's agents (no ref: a push).
    expect(await ben.client.next((f) => f.type === 'conversation.assigned' && f.conversationId === v2.conversationId && f.ref === undefined)).toMatchObject({
      agent: { id: ben.id },
    });
    const assigned = await Promise.all([v1, v2, v3].map((v) => server.storage.getConversation(v.conversationId)));
    expect(assigned.map((c) => c?.agent?.id)).toEqual([ann.id, ben.id, ann.id]);
    // Automatic assignments are reported like accepted ones (metrics and webhooks listen to the same events).
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('parley_conversations_total{event="assigned"} 3');
  });

  it('respects capacity, skips agents who are away, and fills a seat when one frees up', async () => {
    const { server, url } = await start({ assignment: 'auto' });
    const ann = await agent(server, url, 'Ann');
    expect(await ann.client.request({ type: 'agent.availability', availability: 'online', capacity: 1 })).toMatchObject({ type: 'ok' });
    const ben = await agent(server, url, 'Ben');
    expect(await ben.client.request({ type: 'agent.availability', availability: 'away' })).toMatchObject({ type: 'ok' });

    const v1 = await waitingVisitor(url);
    expect(await v1.client.next(joinedBy(v1.conversationId))).toMatchObject({ agent: { id: ann.id } });
    const v2 = await waitingVisitor(url);
    expect(v2.escalated).toMatchObject({ status: 'queued' });
    expect(await v2.client.next((f) => f.type === 'queue.update' && f.conversationId === v2.conversationId)).toMatchObject({ position: 1 });
    expect((await server.storage.getConversation(v2.conversationId))?.status).toBe('queued');

    // Ann closes her chat: the seat goes to the waiting visitor at once.
    await ann.client.request({ type: 'conversation.close', conversationId: v1.conversationId });
    expect(await v2.client.next(joinedBy(v2.conversationId))).toMatchObject({ agent: { id: ann.id } });

    // Ben coming back online takes the next one.
    await ben.client.request({ type: 'agent.availability', availability: 'online' });
    const v3 = await waitingVisitor(url);
    expect(await v3.client.next(joinedBy(v3.conversationId))).toMatchObject({ agent: { id: ben.id } });
  });
});

describe('an agent arriving in auto mode', () => {
  it('is given waiting conversations at once, not at the next sweep', async () => {
    // Default grace: the sweep runs every 10 s, far beyond this test's waits.
    const { server, url } = await start({ assignment: 'auto' });
    const ann = await agent(server, url, 'Ann');
    await ann.client.request({ type: 'agent.availability', availability: 'online', capacity: 0 });
    const v = await waitingVisitor(url);
    expect(v.escalated).toMatchObject({ status: 'queued' });
    const ben = await agent(server, url, 'Ben');
    expect(await v.client.next(joinedBy(v.conversationId), 3000)).toMatchObject({ agent: { id: ben.id } });
  });
});

describe('offline when nobody is online', () => {
  it('turns the escalation into an offline message, outside the queue, until an agent is online', async () => {
    const { server, url } = await start({ assignment: 'manual' });
    const v1 = await waitingVisitor(url);
    expect(v1.escalated).toMatchObject({ type: 'conversation.escalated', status: 'offline' });
    expect((await server.storage.getConversation(v1.conversationId))?.status).toBe('offline');
    expect(await server.storage.listQueue((await server.storage.getDefaultSite()).id)).toEqual([]);
    // The visitor can still leave messages.
    expect(await v1.client.request({ type: 'message.send', conversationId: v1.conversationId, clientId: 'm1', text: 'call me back' })).toMatchObject({
      type: 'message.ack',
    });

    // An agent who is connected but away does not count.
    const ann = await agent(server, url, 'Ann');
    await ann.client.request({ type: 'agent.availability', availability: 'away' });
    expect((await waitingVisitor(url)).escalated).toMatchObject({ status: 'offline' });
    await ann.client.request({ type: 'agent.availability', availability: 'online' });
    expect((await waitingVisitor(url)).escalated).toMatchObject({ status: 'queued' });

    // Ann answers the message left earlier: accepting it works like a queued one, and the visitor is told.
    expect(await ann.client.request({ type: 'conversation.accept', conversationId: v1.conversationId })).toMatchObject({ type: 'conversation.assigned' });
    expect(await v1.client.next(joinedBy(v1.conversationId))).toMatchObject({ agent: { id: ann.id } });
    // Its time as an offline message is not a queue wait: the estimate's history stays empty.
    expect(await server.storage.listRecentWaits((await server.storage.getDefaultSite()).id, 10)).toEqual([]);

    // Once Ann disconnects, nobody is online again.
    ann.client.close();
    await until(async () => (await server.storage.listAgentLoads((await server.storage.getDefaultSite()).id, 0)).length === 0, 'the lease to go');
    expect((await waitingVisitor(url)).escalated).toMatchObject({ status: 'offline' });
  });
});

describe('business hours', () => {
  it('makes an escalation outside the site hours an offline message even with an agent online', async () => {
    const { server, url } = await start({ assignment: 'manual' });
    const site = await server.storage.getDefaultSite();
    // The test clock, 2023-11-14T22:13:20Z, is a Tuesday night in UTC: closed for Tuesday 09:00-17:00.
    await server.storage.updateSite(site.id, { businessHours: { timezone: 'UTC', days: [{ day: 2, open: '09:00', close: '17:00' }] } });
    await agent(server, url, 'Ann').then((a) => a.client.request({ type: 'agent.availability', availability: 'online' }));
    expect((await waitingVisitor(url)).escalated).toMatchObject({ status: 'offline' });
    await server.storage.updateSite(site.id, { businessHours: { timezone: 'UTC', days: [{ day: 2, open: '09:00', close: '23:00' }] } });
    expect((await waitingVisitor(url)).escalated).toMatchObject({ status: 'queued' });
  });
});

describe('conversation.transfer', () => {
  it('moves a chat to another online agent or back to the queue; only its agent may', async () => {
    const { server, url } = await start({ assignment: 'manual' });
    const ann = await agent(server, url, 'Ann');
    const ben = await agent(server, url, 'Ben');
    const cat = await agent(server, url, 'Cat');
    await cat.client.request({ type: 'agent.availability', availability: 'away' });
    const v = await waitingVisitor(url);
    const inQueue = (f: ServerFrame) => f.type === 'queue.snapshot' && f.entries.some((e) => e.conversationId === v.conversationId);
    // Taken now so the checks below see only what the transfer back to the queue sends.
    await v.client.next((f) => f.type === 'queue.update' && f.conversationId === v.conversationId);
    await ann.client.next(inQueue);
    await ann.client.request({ type: 'conversation.accept', conversationId: v.conversationId });
    await v.client.next(joinedBy(v.conversationId));

    const refused = (f: ServerFrame) => (f.type === 'error' ? f.code : f.type);
    expect(refused(await ben.client.request({ type: 'conversation.transfer', conversationId: v.conversationId, toAgentId: cat.id }))).toBe('AUTH_FORBIDDEN');
    // Cat is connected but away: storage.transfer refuses under the move's lock, with the reason.
    expect(await ann.client.request({ type: 'conversation.transfer', conversationId: v.conversationId, toAgentId: cat.id })).toMatchObject({
      type: 'error',
      code: 'AUTH_FORBIDDEN',
      message: 'that agent is not online',
    });
    expect(refused(await ann.client.request({ type: 'conversation.transfer', conversationId: v.conversationId, toAgentId: ann.id }))).toBe('PROTOCOL_BAD_FRAME');
    expect(refused(await ann.client.request({ type: 'conversation.transfer', conversationId: 'c_nope', toAgentId: ben.id }))).toBe('CONVERSATION_NOT_FOUND');
    expect(refused(await v.client.request({ type: 'conversation.transfer', conversationId: v.conversationId }))).toBe('AUTH_FORBIDDEN');

    // Ben has no free seat: refused, with the reason.
    await ben.client.request({ type: 'agent.availability', availability: 'online', capacity: 0 });
    expect(await ann.client.request({ type: 'conversation.transfer', conversationId: v.conversationId, toAgentId: ben.id })).toMatchObject({
      type: 'error',
      code: 'AUTH_FORBIDDEN',
      message: 'that agent has no free capacity',
    });
    await ben.client.request({ type: 'agent.availability', availability: 'online', capacity: 2 });
    expect(await ann.client.request({ type: 'conversation.transfer', conversationId: v.conversationId, toAgentId: ben.id })).toMatchObject({ type: 'ok' });
    expect(await v.client.next(leftBy(v.conversationId))).toMatchObject({ agent: { id: ann.id } });
    expect(await v.client.next(joinedBy(v.conversationId))).toMatchObject({ agent: { id: ben.id } });
    expect(await ben.client.next((f) => f.type === 'conversation.assigned' && f.conversationId === v.conversationId && f.agent.id === ben.id)).toBeDefined();
    expect((await server.storage.getConversation(v.conversationId))?.agent?.id).toBe(ben.id);
    // The transfer is in the transcript, with a seq like every message.
    const { messages } = await server.storage.listMessages({ conversationId: v.conversationId, afterSeq: 0, limit: 10 });
    expect(messages.map((m) => m.text)).toEqual(['Ann joined the conversation', 'Ann transferred the conversation to Ben']);

    // Ann no longer has it; Ben puts it back in the queue.
    expect(refused(await ann.client.request({ type: 'conversation.transfer', conversationId: v.conversationId }))).toBe('AUTH_FORBIDDEN');
    expect(await ben.client.request({ type: 'conversation.transfer', conversationId: v.conversationId })).toMatchObject({ type: 'ok' });
    expect(await v.client.next(leftBy(v.conversationId))).toMatchObject({ agent: { id: ben.id } });
    expect(await v.client.next((f) => f.type === 'queue.update' && f.conversationId === v.conversationId)).toMatchObject({ position: 1 });
    expect(await ann.client.next(inQueue)).toBeDefined();
  });
});

describe('a disconnected agent', () => {
  it('keeps their chats through the grace period, then they are reassigned', async () => {
    const graceMs = 600;
    const { server, url } = await start({ assignment: 'auto', agentGraceMs: graceMs });
    const ann = await agent(server, url, 'Ann');
    const v = await waitingVisitor(url);
    expect(await v.client.next(joinedBy(v.conversationId))).toMatchObject({ agent: { id: ann.id } });
    clock += 1000;
    const ben = await agent(server, url, 'Ben');
    await ben.client.request({ type: 'agent.availability', availability: 'online', capacity: 5 });

    ann.client.close();
    await until(async () => (await server.storage.listAgentLoads((await server.storage.getDefaultSite()).id, 0)).length === 1, "Ann's lease to go");
    // Several sweeps pass with the clock inside the grace period: the chat stays Ann's.
    clock += graceMs - 100;
    await new Promise((r) => setTimeout(r, 4 * (graceMs / 3)));
    expect((await server.storage.getConversation(v.conversationId))?.agent?.id).toBe(ann.id);
    expect(v.client.frames.some(leftBy(v.conversationId))).toBe(false);

    clock += 200;
    expect(await v.client.next(leftBy(v.conversationId), 5000)).toMatchObject({ agent: { id: ann.id } });
    expect(await v.client.next(joinedBy(v.conversationId), 5000)).toMatchObject({ agent: { id: ben.id } });
    const { messages } = await server.storage.listMessages({ conversationId: v.conversationId, afterSeq: 0, limit: 10 });
    expect(messages.map((m) => m.text)).toEqual(['Ann joined the conversation', 'Ann left; waiting for another agent', 'Ben joined the conversation']);
  });

  it('in manual mode puts their chats back in the queue for the others to pick', async () => {
    const graceMs = 300;
    const { server, url } = await start({ assignment: 'manual', agentGraceMs: graceMs });
    const ann = await agent(server, url, 'Ann');
    const ben = await agent(server, url, 'Ben');
    const v = await waitingVisitor(url);
    await ann.client.request({ type: 'conversation.accept', conversationId: v.conversationId });
    const updates = () => v.client.frames.filter((f) => f.type === 'queue.update').length;
    const before = updates();
    ann.client.close();
    await until(async () => (await server.storage.listAgentLoads((await server.storage.getDefaultSite()).id, 0)).length === 1, "Ann's lease to go");
    clock += graceMs + 1;
    expect(await v.client.next(leftBy(v.conversationId), 5000)).toMatchObject({ agent: { id: ann.id } });
    await until(() => updates() > before, 'a queue.update after the requeue');
    expect(v.client.frames.filter((f) => f.type === 'queue.update').at(-1)).toMatchObject({ conversationId: v.conversationId, position: 1 });
    expect((await server.storage.getConversation(v.conversationId))?.status).toBe('queued');
    expect(await ben.client.request({ type: 'conversation.accept', conversationId: v.conversationId })).toMatchObject({ type: 'conversation.assigned' });
  });
});

describe('queue position and estimated wait', () => {
  it('tells waiting visitors their position and a moving average of recent waits, updated as the queue moves', async () => {
    // A short grace makes the sweep renew Ann's lease soon after each jump of the clock.
    const { server, url } = await start({ assignment: 'manual', agentGraceMs: 150 });
    const ann = await agent(server, url, 'Ann');
    const accept = (conversationId: string) => ann.client.request({ type: 'conversation.accept', conversationId });
    const siteId = (await server.storage.getDefaultSite()).id;
    const jump = async (ms: number) => {
      clock += ms;
      await until(async () => (await server.storage.listAgentLoads(siteId, clock)).length === 1, 'the lease renewal');
    };

    // History: two waits, 60 s then 30 s → EWMA (α 0.3) = 60 + 0.3·(30 − 60) = 51 s.
    const h1 = await waitingVisitor(url);
    await jump(60_000);
    await accept(h1.conversationId);
    const h2 = await waitingVisitor(url);
    await jump(30_000);
    await accept(h2.conversationId);

    const isUpdate = (id: string, position: number) => (f: ServerFrame) => f.type === 'queue.update' && f.conversationId === id && f.position === position;
    const a = await waitingVisitor(url);
    expect(await a.client.next(isUpdate(a.conversationId, 1))).toMatchObject({ etaSeconds: 51 });
    const b = await waitingVisitor(url);
    // Two waiting: the back waits the whole average, the head half of it.
    expect(await b.client.next(isUpdate(b.conversationId, 2))).toMatchObject({ etaSeconds: 51 });
    expect(await a.client.next((f) => isUpdate(a.conversationId, 1)(f) && f.type === 'queue.update' && f.etaSeconds === 26)).toBeDefined();

    // A waited 90 s: the average moves to 51 + 0.3·(90 − 51) = 62.7 and B moves up.
    await jump(90_000);
    await accept(a.conversationId);
    expect(await b.client.next(isUpdate(b.conversationId, 1))).toMatchObject({ etaSeconds: 63 });
  });
});
