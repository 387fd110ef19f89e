// The RoutingStore contract: presence leases, loads, atomic assignment under concurrency, transfer, requeue, waits.
// Run by runStorageContract for every adapter. Test-only module.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentInfo } from '@parley/protocol';
import type { Storage } from './storage.js';

export function runRoutingContract(name: string, makeStorage: () => Storage | Promise<Storage>): void {
  describe(`Routing contract: ${name}`, () => {
    let storage: Storage;
    let siteId: string;
    let n = 0;

    beforeEach(async () => {
      storage = await makeStorage();
      siteId = (await storage.getDefaultSite()).id;
    });
    afterEach(async () => {
      await storage.close();
    });

    async function agent(name: string): Promise<AgentInfo> {
      const created = await storage.createAgent({ siteId, name, tokenHash: `hash-${name}-${n++}-${Math.random()}` });
      return { id: created.id, name: created.name };
    }
    async function connect(a: AgentInfo, at = Date.now(), connectionId = `k-${a.id}`) {
      await storage.putAgentPresence({ connectionId, agentId: a.id, siteId, nodeId: 'node-1', availability: 'online', at });
    }
    async function queued(count: number): Promise<string[]> {
      const visitorId = (await storage.createVisitor(siteId)).id;
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const { conversation } = await storage.startConversation({ siteId, visitorId, clientId: `q-${i}` });
        await storage.escalate({ conversationId: conversation.id, reason: 'requested', transcript: [] });
        ids.push(conversation.id);
      }
      return ids;
    }

    it('lists agents with a live lease, their availability, capacity and load', async () => {
      const ann = await agent('Ann');
      const ben = await agent('Ben');
      const now = Date.now();
      await connect(ann, now);
      await connect(ben, now - 60_000);
      let loads = await storage.listAgentLoads(siteId, now - 1000);
      expect(loads.map((l) => l.agent.id)).toEqual([ann.id]);
      expect(loads[0]).toMatchObject({ availability: 'online', capacity: 3, activeCount: 0 });

      await storage.setAgentAvailability(ann.id, 'away');
      await storage.setAgentCapacity(ann.id, 7);
      expect((await storage.listAgentLoads(siteId, now - 1000))[0]).toMatchObject({ availability: 'away', capacity: 7 });

      // Ben's lease was stale; his node renews it.
      await storage.renewNodePresence('node-1', now);
      loads = await storage.listAgentLoads(siteId, now - 1000);
      expect(loads.map((l) => l.agent.id).sort()).toEqual([ann.id, ben.id].sort());

      await storage.removeAgentPresence(`k-${ann.id}`, now);
      await storage.removeAgentPresence('unknown-connection', now);
      expect((await storage.listAgentLoads(siteId, now - 1000)).map((l) => l.agent.id)).toEqual([ben.id]);
    });

    it('assignNext takes the oldest queued conversation, up to the agent capacity, then reports full or empty', async () => {
      const ann = await agent('Ann');
      await storage.setAgentCapacity(ann.id, 2);
      expect(await storage.assignNext(siteId, ann)).toEqual({ kind: 'empty' });
      const ids = await queued(3);
      const first = await storage.assignNext(siteId, ann);
      expect(first.kind).toBe('assigned');
      if (first.kind !== 'assigned') return;
      expect(first.transition.conversation).toMatchObject({ id: ids[0], status: 'assigned', agent: { id: ann.id } });
      expect(first.transition.event).toMatchObject({ kind: 'event', event: 'joined', seq: 1, author: { role: 'agent', id: ann.id } });
      expect(await storage.assignNext(siteId, ann)).toMatchObject({ kind: 'assigned', transition: { conversation: { id: ids[1] } } });
      expect(await storage.assignNext(siteId, ann)).toEqual({ kind: 'full' });
      expect((await storage.listQueue(siteId)).map((q) => q.conversationId)).toEqual([ids[2]]);
      await connect(ann);
      expect((await storage.listAgentLoads(siteId, 0))[0]).toMatchObject({ activeCount: 2 });
      // Closing one frees a seat.
      await storage.closeConversation(ids[0]!, 'agent');
      expect(await storage.assignNext(siteId, ann)).toMatchObject({ kind: 'assigned', transition: { conversation: { id: ids[2] } } });
      const waits = await storage.listRecentWaits(siteId, 10);
      expect(waits).toHaveLength(3);
      for (const wait of waits) expect(wait).toBeGreaterThanOrEqual(0);
    });

    it('assigns each conversation exactly once when 20 agents race for 8 conversations', async () => {
      const agents = await Promise.all(Array.from({ length: 20 }, (_, i) => agent(`Agent ${i}`)));
      const ids = await queued(8);
      // Every agent tries twice at once; capacity 3 each leaves room, so only the queue limits them.
      const results = await Promise.all([...agents, ...agents].map((a) => storage.assignNext(siteId, a)));
      const taken = results.flatMap((r) => (r.kind === 'assigned' ? [r.transition.conversation!.id] : []));
      expect(taken.sort()).toEqual([...ids].sort());
      for (const id of ids) {
        const conversation = await storage.getConversation(id);
        expect(conversation?.status).toBe('assigned');
        const { messages } = await storage.listMessages({ conversationId: id, afterSeq: 0, limit: 10 });
        // One "joined" event per conversation: nobody assigned it twice.
        expect(messages.filter((m) => m.kind === 'event')).toHaveLength(1);
        expect(messages[0]!.author.id).toBe(conversation?.agent?.id);
      }
    });

    it('never lets concurrent assignments push one agent over capacity', async () => {
      const ann = await agent('Ann');
      await storage.setAgentCapacity(ann.id, 2);
      await queued(6);
      const results = await Promise.all(Array.from({ length: 6 }, () => storage.assignNext(siteId, ann)));
      expect(results.filter((r) => r.kind === 'assigned')).toHaveLength(2);
      expect(await storage.listQueue(siteId)).toHaveLength(4);
    });

    it('transfers from the assigned agent only, to another agent or back to the queue', async () => {
      const ann = await agent('Ann');
      const ben = await agent('Ben');
      const [id] = await queued(1);
      await storage.assign(id!, ann);
      await connect(ann);
      await connect(ben);
      const live = (a: AgentInfo) => ({ agent: a, liveSinceMs: 0 });
      expect(await storage.transfer(id!, ben.id, ben, live(ann))).toMatchObject({ changed: false, refusal: 'not_assigned' });
      // A target at capacity is refused; with a free seat it is not.
      await storage.setAgentCapacity(ben.id, 0);
      expect(await storage.transfer(id!, ann.id, ann, live(ben))).toMatchObject({ changed: false, refusal: 'agent_full' });
      await storage.setAgentCapacity(ben.id, 1);
      const moved = await storage.transfer(id!, ann.id, ann, live(ben));
      expect(moved).toMatchObject({ changed: true, conversation: { status: 'assigned', agent: { id: ben.id } } });
      expect(moved.event).toMatchObject({ event: 'transferred', text: expect.stringContaining('Ben') });
      // Ann no longer has it.
      expect((await storage.transfer(id!, ann.id, ann, undefined)).changed).toBe(false);
      const back = await storage.transfer(id!, ben.id, ben, undefined);
      expect(back.changed).toBe(true);
      expect(back.conversation?.status).toBe('queued');
      expect(back.conversation?.agent).toBeUndefined();
      expect(back.event?.event).toBe('requeued');
      expect((await storage.listQueue(siteId)).map((q) => q.conversationId)).toEqual([id]);
    });

    it('refuses a transfer to an agent who is not online on the site at the moment of the move', async () => {
      const ann = await agent('Ann');
      const ben = await agent('Ben');
      const [id] = await queued(1);
      await storage.assign(id!, ann);
      const to = (liveSinceMs = 0) => ({ agent: ben, liveSinceMs });
      const unavailable = { changed: false, refusal: 'agent_unavailable', conversation: { agent: { id: ann.id } } };
      // Never connected.
      expect(await storage.transfer(id!, ann.id, ann, to())).toMatchObject(unavailable);
      // Connected but away.
      await connect(ben, 1000);
      await storage.setAgentAvailability(ben.id, 'away');
      expect(await storage.transfer(id!, ann.id, ann, to())).toMatchObject(unavailable);
      // Online, but the lease lapsed (last renewed before the caller's cut-off).
      await storage.setAgentAvailability(ben.id, 'online');
      expect(await storage.transfer(id!, ann.id, ann, to(2000))).toMatchObject(unavailable);
      // Online on another site only.
      const other = await storage.createSite({ key: `other-${n++}`, allowedOrigins: ['*'] });
      await storage.removeAgentPresence(`k-${ben.id}`, 1500);
      await storage.putAgentPresence({ connectionId: 'k-elsewhere', agentId: ben.id, siteId: other.id, nodeId: 'node-1', availability: 'online', at: 3000 });
      expect(await storage.transfer(id!, ann.id, ann, to())).toMatchObject(unavailable);
      // Just went offline: the lease is gone.
      await connect(ben, 3000);
      await storage.removeAgentPresence(`k-${ben.id}`, 3500);
      expect(await storage.transfer(id!, ann.id, ann, to())).toMatchObject(unavailable);
      // Online here, renewed after the cut-off: it moves.
      await connect(ben, 4000);
      expect(await storage.transfer(id!, ann.id, ann, to(3900))).toMatchObject({ changed: true, conversation: { agent: { id: ben.id } } });
    });

    it('requeues the chats of an agent gone past the grace period, once, and keeps those of a live agent', async () => {
      const ann = await agent('Ann');
      const ben = await agent('Ben');
      const [a1, a2, b1] = await queued(3);
      await storage.assign(a1!, ann);
      await storage.assign(a2!, ann);
      await storage.assign(b1!, ben);
      const t0 = Date.now();
      await connect(ann, t0);
      await connect(ben, t0);
      await storage.removeAgentPresence(`k-${ann.id}`, t0 + 10);
      // Within the grace period: nothing moves.
      expect(await storage.requeueAbandoned({ liveSinceMs: t0 - 1000, goneBeforeMs: t0 })).toEqual([]);
      const moved = await storage.requeueAbandoned({ liveSinceMs: t0 - 1000, goneBeforeMs: t0 + 1000 });
      expect(moved.map((m) => m.transition.conversation?.id).sort()).toEqual([a1, a2].sort());
      for (const m of moved) {
        expect(m.agent.id).toBe(ann.id);
        expect(m.transition.conversation?.status).toBe('queued');
        expect(m.transition.event).toMatchObject({ kind: 'event', event: 'left', author: { role: 'system' } });
      }
      expect(await storage.requeueAbandoned({ liveSinceMs: t0 - 1000, goneBeforeMs: t0 + 1000 })).toEqual([]);
      expect((await storage.getConversation(b1!))?.agent?.id).toBe(ben.id);
      // A lease that lapsed (node killed) counts as gone from its last renewal.
      const late = await storage.requeueAbandoned({ liveSinceMs: t0 + 5000, goneBeforeMs: t0 + 6000 });
      expect(late.map((m) => m.transition.conversation?.id)).toEqual([b1]);
    });

    it('purges lapsed leases without changing when their agent counts as gone', async () => {
      const ann = await agent('Ann');
      const [id] = await queued(1);
      await storage.assign(id!, ann);
      const t0 = Date.now();
      await connect(ann, t0);
      await storage.purgeLapsedPresence(t0 - 1); // not lapsed yet: kept
      expect(await storage.listAgentLoads(siteId, 0)).toHaveLength(1);
      await storage.purgeLapsedPresence(t0 + 1);
      expect(await storage.listAgentLoads(siteId, 0)).toEqual([]);
      // Last seen at t0, as the lease said: gone before t0 is false, before t0 + 1 is true.
      expect(await storage.requeueAbandoned({ liveSinceMs: t0 + 5000, goneBeforeMs: t0 })).toEqual([]);
      expect((await storage.requeueAbandoned({ liveSinceMs: t0 + 5000, goneBeforeMs: t0 + 1 })).map((m) => m.transition.conversation?.id)).toEqual([id]);
    });

    it('escalates to offline when asked: kept out of the queue, and may be escalated again', async () => {
      const visitorId = (await storage.createVisitor(siteId)).id;
      const { conversation } = await storage.startConversation({ siteId, visitorId, clientId: 'off' });
      const offline = await storage.escalate({ conversationId: conversation.id, reason: 'requested', transcript: [], status: 'offline' });
      expect(offline).toMatchObject({ changed: true, conversation: { status: 'offline' } });
      expect(await storage.listQueue(siteId)).toEqual([]);
      const again = await storage.escalate({ conversationId: conversation.id, reason: 'requested', transcript: [] });
      expect(again.conversation?.status).toBe('queued');
    });
  });
}
