// The WebhookOutboxStore contract: deliveries survive until finished, one holder at a time, leases lapse, retries
// come due, the bound holds. Run by runStorageContract for every adapter. Test-only module.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../domain-events.js';
import type { Storage } from './storage.js';
import type { NewWebhookDelivery, WebhookOutboxWriter } from './webhook-outbox-store.js';

const URL_A = 'https://a.example/hooks';
const URL_B = 'https://b.example/hooks';
const delivery = (n: number, url = URL_A, createdAt = 1000 + n): NewWebhookDelivery => ({
  id: `wh_${n}`,
  url,
  event: 'message.created',
  body: `{"id":"wh_${n}"}`,
  createdAt,
});

/** A writer that wants every event, one delivery each, its body the event's JSON; it remembers what it was given. */
function recordingWriter() {
  const asked: DomainEvent[] = [];
  const stored: NewWebhookDelivery[] = [];
  let n = 0;
  const writer: WebhookOutboxWriter = {
    deliveriesFor(event) {
      asked.push(event);
      n += 1;
      return [{ id: `wh_tx_${n}`, url: URL_A, event: event.type, body: JSON.stringify({ id: `wh_tx_${n}`, data: event }), createdAt: 1000 + n }];
    },
    // Already lapsed, so the test can claim the rows at once, as a node taking over a dead one's would.
    lease: () => ({ owner: 'node-a', until: 0 }),
    stored(deliveries) {
      stored.push(...deliveries);
    },
    // Never refuses: this writer has no bound.
    dropped() {},
  };
  return { writer, asked, stored };
}

export function runWebhookOutboxContract(name: string, makeStorage: () => Storage | Promise<Storage>): void {
  describe(`Webhook outbox contract: ${name}`, () => {
    let storage: Storage;
    beforeEach(async () => {
      storage = await makeStorage();
    });
    afterEach(async () => {
      await storage.close();
    });

    it('keeps an enqueued delivery leased to its node until the lease lapses, then lets another node claim it', async () => {
      expect(await storage.enqueueWebhooks([delivery(1)], { owner: 'node-a', until: 5000 }, 100)).toBe(1);
      // Leased to node-a: nobody else gets it before 5000, not even node-a by claiming.
      expect(await storage.claimWebhooks({ urls: [URL_A], now: 4999, limit: 10, lease: { owner: 'node-b', until: 9000 } })).toEqual([]);
      const claimed = await storage.claimWebhooks({ urls: [URL_A], now: 5000, limit: 10, lease: { owner: 'node-b', until: 9000 } });
      expect(claimed).toEqual([{ ...delivery(1), attempts: 0 }]);
      // node-a lost it: its late result does not remove node-b's delivery.
      expect(await storage.finishWebhook('wh_1', 'node-a')).toBe(false);
      expect(await storage.countWebhooks()).toBe(1);
      expect(await storage.finishWebhook('wh_1', 'node-b')).toBe(true);
      expect(await storage.countWebhooks()).toBe(0);
      expect(await storage.finishWebhook('wh_1', 'node-b')).toBe(false);
    });

    it('makes a retried delivery due at its time, with its attempts, for any node that knows its URL', async () => {
      await storage.enqueueWebhooks([delivery(1), delivery(2, URL_B)], { owner: 'node-a', until: 5000 }, 100);
      expect(await storage.retryWebhookLater('wh_1', 'node-a', 1, 2000)).toBe(true);
      expect(await storage.retryWebhookLater('wh_2', 'node-a', 3, 2500)).toBe(true);
      expect(await storage.retryWebhookLater('wh_1', 'node-b', 9, 0)).toBe(false);
      const lease = { owner: 'node-b', until: 60_000 };
      expect(await storage.claimWebhooks({ urls: [URL_A, URL_B], now: 1999, limit: 10, lease })).toEqual([]);
      // A node whose config lacks URL_B never takes URL_B's deliveries.
      expect(await storage.claimWebhooks({ urls: [URL_A], now: 3000, limit: 10, lease })).toEqual([{ ...delivery(1), attempts: 1 }]);
      expect(await storage.claimWebhooks({ urls: [URL_A, URL_B], now: 3000, limit: 10, lease })).toEqual([{ ...delivery(2, URL_B), attempts: 3 }]);
    });

    it('claims oldest due first, at most limit, and never the same delivery twice at once', async () => {
      await storage.enqueueWebhooks([1, 2, 3, 4, 5].map((n) => delivery(n)), { owner: 'gone', until: 0 }, 100);
      const lease = (owner: string) => ({ owner, until: 60_000 });
      const [a, b, c] = await Promise.all([
        storage.claimWebhooks({ urls: [URL_A], now: 10_000, limit: 2, lease: lease('a') }),
        storage.claimWebhooks({ urls: [URL_A], now: 10_000, limit: 2, lease: lease('b') }),
        storage.claimWebhooks({ urls: [URL_A], now: 10_000, limit: 2, lease: lease('c') }),
      ]);
      const ids = [...a!, ...b!, ...c!].map((d) => d.id);
      expect(ids.sort()).toEqual(['wh_1', 'wh_2', 'wh_3', 'wh_4', 'wh_5']);
      for (const batch of [a!, b!, c!]) expect(batch.length).toBeLessThanOrEqual(2);
      // Within one claim, oldest first.
      for (const batch of [a!, b!, c!]) expect(batch.map((d) => d.createdAt)).toEqual([...batch.map((d) => d.createdAt)].sort());
    });

    it('stores no more than maxPending, and tells how many it took', async () => {
      const lease = { owner: 'node-a', until: 5000 };
      expect(await storage.enqueueWebhooks([1, 2, 3].map((n) => delivery(n)), lease, 4)).toBe(3);
      expect(await storage.enqueueWebhooks([4, 5, 6].map((n) => delivery(n)), lease, 4)).toBe(1);
      expect(await storage.countWebhooks()).toBe(4);
      const all = await storage.claimWebhooks({ urls: [URL_A], now: 5000, limit: 10, lease: { owner: 'x', until: 9000 } });
      expect(all.map((d) => d.id).sort()).toEqual(['wh_1', 'wh_2', 'wh_3', 'wh_4']);
    });

    it('writes each change\'s deliveries with the change, hands them over after it committed, and none for a no-op', async () => {
      const { writer, stored } = recordingWriter();
      storage.setWebhookOutbox(writer);
      const siteId = (await storage.getDefaultSite()).id;
      const visitorId = (await storage.createVisitor(siteId)).id;
      const start = { siteId, visitorId, clientId: 'start-1' };
      const conv = (await storage.startConversation(start)).conversation;
      await storage.startConversation(start); // a retried start changes nothing
      const author = { role: 'visitor' as const, id: visitorId };
      // One event-loop turn: one group-commit batch, whose rows must carry the seqs the storage handed out.
      const [m1, m2, again] = await Promise.all([
        storage.appendMessage({ conversationId: conv.id, clientId: 'm1', author, kind: 'text', text: 'hello' }),
        storage.appendMessage({ conversationId: conv.id, clientId: 'm2', author, kind: 'text', text: 'there "seq":-2147483648' }),
        storage.appendMessage({ conversationId: conv.id, clientId: 'm1', author, kind: 'text', text: 'hello' }),
      ]);
      expect(again!.duplicate).toBe(true);
      await storage.escalate({ conversationId: conv.id, reason: 'requested', transcript: [] });
      await storage.escalate({ conversationId: conv.id, reason: 'requested', transcript: [] }); // already queued
      const agent = await storage.createAgent({ siteId, name: 'Alice', tokenHash: 'h-outbox' });
      await storage.assign(conv.id, { id: agent.id, name: agent.name });
      await storage.closeConversation(conv.id, 'agent', 'done');
      await storage.closeConversation(conv.id, 'agent'); // already closed
      await expect(storage.appendMessage({ conversationId: conv.id, clientId: 'm3', author, kind: 'text', text: 'late' })).rejects.toMatchObject({
        code: 'CONVERSATION_CLOSED',
      });
      await storage.rate({ conversationId: conv.id, score: 5 });
      await storage.rate({ conversationId: conv.id, score: 1 }); // the first rating stands

      const events = ['conversation.created', 'message.created', 'message.created', 'conversation.escalated', 'conversation.assigned', 'conversation.closed', 'rating.created'];
      expect(stored.map((d) => d.event)).toEqual(events);
      expect(await storage.countWebhooks()).toBe(events.length);
      const rows = await storage.claimWebhooks({ urls: [URL_A], now: Date.now(), limit: 100, lease: { owner: 'node-b', until: Date.now() + 60_000 } });
      // What was handed over is exactly what the table holds, bodies included (the seq filled in by the database).
      expect(rows.map(({ attempts: _attempts, ...d }) => d).sort((a, b) => a.createdAt - b.createdAt)).toEqual(
        [...stored].sort((a, b) => a.createdAt - b.createdAt),
      );
      const messageSeqs = rows
        .filter((d) => d.event === 'message.created')
        .map((d) => (JSON.parse(d.body) as { data: { message: { seq: number; text: string } } }).data.message);
      expect(messageSeqs.map((m) => [m.seq, m.text]).sort()).toEqual([
        [m1!.message.seq, 'hello'],
        [m2!.message.seq, 'there "seq":-2147483648'],
      ]);
      expect(m1!.message.seq).not.toBe(m2!.message.seq);
      const closed = rows.find((d) => d.event === 'conversation.closed')!;
      expect(JSON.parse(closed.body)).toMatchObject({ data: { closedBy: 'agent', reason: 'done', conversation: { id: conv.id, status: 'closed' } } });

      // Unset (the writer replaced is handed back): changes write no rows.
      expect(storage.setWebhookOutbox(undefined)).toBe(writer);
      expect(storage.setWebhookOutbox(undefined)).toBeUndefined();
      const other = (await storage.startConversation({ siteId, visitorId, clientId: 'start-2' })).conversation;
      await storage.appendMessage({ conversationId: other.id, clientId: 'm1', author, kind: 'text', text: 'quiet' });
      expect(await storage.countWebhooks()).toBe(events.length);
      expect(stored).toHaveLength(events.length);
    });

    it('assigns through assignNext with the assignment\'s row in the same write', async () => {
      const { writer, stored } = recordingWriter();
      storage.setWebhookOutbox(writer);
      const siteId = (await storage.getDefaultSite()).id;
      const visitorId = (await storage.createVisitor(siteId)).id;
      const conv = (await storage.startConversation({ siteId, visitorId, clientId: 's' })).conversation;
      await storage.escalate({ conversationId: conv.id, reason: 'requested', transcript: [] });
      const agent = await storage.createAgent({ siteId, name: 'Bo', tokenHash: 'h-next' });
      await storage.putAgentPresence({ connectionId: 'k1', agentId: agent.id, siteId, nodeId: 'n1', availability: 'online', at: Date.now() });
      const result = await storage.assignNext(siteId, { id: agent.id, name: agent.name });
      expect(result.kind).toBe('assigned');
      expect(stored.map((d) => d.event)).toEqual(['conversation.created', 'conversation.escalated', 'conversation.assigned']);
      expect(JSON.parse(stored[2]!.body)).toMatchObject({ data: { agent: { id: agent.id }, conversation: { id: conv.id, status: 'assigned' } } });
      expect(await storage.countWebhooks()).toBe(3);
    });

    it('frees the leases of a node that shuts down, and only those', async () => {
      await storage.enqueueWebhooks([delivery(1), delivery(2)], { owner: 'node-a', until: 50_000 }, 100);
      await storage.enqueueWebhooks([delivery(3)], { owner: 'node-b', until: 50_000 }, 100);
      expect(await storage.releaseWebhookLeases('node-a')).toBe(2);
      const claimed = await storage.claimWebhooks({ urls: [URL_A], now: 2000, limit: 10, lease: { owner: 'node-c', until: 60_000 } });
      expect(claimed.map((d) => d.id)).toEqual(['wh_1', 'wh_2']);
    });
  });
}
