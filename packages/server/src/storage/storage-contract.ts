// The Storage contract suite: every adapter runs it (sqlite.test.ts; postgres.test.ts when DATABASE_URL is set).
// Test-only module: imports vitest, never imported by the server itself.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ParleyError, type Author } from '@parley/protocol';
import type { Storage } from './storage.js';
import { runNoteContract } from './note-contract.js';
import { runPrivacyContract } from './privacy-contract.js';
import { runRoutingContract } from './routing-contract.js';
import { runSiteSettingsContract } from './site-settings-contract.js';
import { runWebhookOutboxContract } from './webhook-outbox-contract.js';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return err instanceof ParleyError ? err.code : `not a ParleyError: ${String(err)}`;
  }
  return undefined;
}

/**
 * Defines the contract suite for one adapter. `makeStorage` returns a fresh, empty, migrated storage.
 * @example
 * runStorageContract('sqlite :memory:', () => createSqliteStorage({ path: ':memory:' }));
 */
export function runStorageContract(name: string, makeStorage: () => Storage | Promise<Storage>): void {
  runPrivacyContract(name, makeStorage);
  runRoutingContract(name, makeStorage);
  runNoteContract(name, makeStorage);
  runSiteSettingsContract(name, makeStorage);
  runWebhookOutboxContract(name, makeStorage);
  describe(`Storage contract: ${name}`, () => {
    let storage: Storage;
    let siteId: string;
    let visitorId: string;
    let visitor: Author;

    beforeEach(async () => {
      storage = await makeStorage();
      siteId = (await storage.getDefaultSite()).id;
      visitorId = (await storage.createVisitor(siteId)).id;
      visitor = { role: 'visitor', id: visitorId };
    });
    afterEach(async () => {
      await storage.close();
    });

    async function start(clientId = 'start-1') {
      return (await storage.startConversation({ siteId, visitorId, clientId, profile: { name: 'Ada' } })).conversation;
    }

    it('has the default site with key demo', async () => {
      const site = await storage.getDefaultSite();
      expect(site.key).toBe('demo');
      expect(await storage.getSiteByKey('demo')).toEqual(site);
      expect(await storage.getSite(site.id)).toEqual(site);
      expect(await storage.getSiteByKey('nope')).toBeUndefined();
    });

    it('creates, updates and lists sites; a taken key is a conflict', async () => {
      const demo = await storage.getDefaultSite();
      expect(demo).toMatchObject({ allowedOrigins: ['*'], requiresIdentity: false });
      expect(demo.identitySecret).toBeUndefined();
      const shop = await storage.createSite({ key: 'shop', allowedOrigins: ['https://shop.example'], identitySecret: 's'.repeat(32), requiresIdentity: true });
      expect(shop).toMatchObject({ key: 'shop', allowedOrigins: ['https://shop.example'], identitySecret: 's'.repeat(32), requiresIdentity: true });
      expect(await storage.getSiteByKey('shop')).toEqual(shop);
      expect(await codeOf(storage.createSite({ key: 'shop', allowedOrigins: ['*'] }))).toBe('STORAGE_CONFLICT');
      const other = await storage.createSite({ key: 'other', allowedOrigins: ['*'] });
      expect(other.requiresIdentity).toBe(false);
      expect((await storage.listSites()).map((s) => s.key)).toEqual(['demo', 'shop', 'other']);

      const relaxed = await storage.updateSite(shop.id, { requiresIdentity: false });
      expect(relaxed).toEqual({ ...shop, requiresIdentity: false });
      const moved = await storage.updateSite(shop.id, { allowedOrigins: ['https://a.example', 'https://b.example'], identitySecret: null });
      expect(moved).toEqual({ id: shop.id, key: 'shop', allowedOrigins: ['https://a.example', 'https://b.example'], requiresIdentity: false });
      expect(await storage.getSite(shop.id)).toEqual(moved);
      expect(await storage.updateSite('site_nope', { requiresIdentity: true })).toBeUndefined();
    });

    it('keeps an agent message\'s quick replies through append, batches and history', async () => {
      const conv = await start();
      const agent: Author = { role: 'agent', id: 'agent-1', name: 'Sam' };
      const [offered, plain] = await Promise.all([
        storage.appendMessage({ conversationId: conv.id, clientId: 'q1', author: agent, kind: 'text', text: 'Which size?', quickReplies: ['S', 'M', 'L'] }),
        storage.appendMessage({ conversationId: conv.id, clientId: 'q2', author: agent, kind: 'text', text: 'No buttons' }),
      ]);
      expect(offered.message.quickReplies).toEqual(['S', 'M', 'L']);
      expect(plain.message.quickReplies).toBeUndefined();
      const page = await storage.listMessages({ conversationId: conv.id, afterSeq: 0, limit: 10 });
      expect(page.messages.map((m) => m.quickReplies)).toEqual([['S', 'M', 'L'], undefined]);
      expect('quickReplies' in page.messages[1]!).toBe(false);
      const again = await storage.appendMessage({ conversationId: conv.id, clientId: 'q1', author: agent, kind: 'text', text: 'Which size?', quickReplies: ['S', 'M', 'L'] });
      expect(again).toMatchObject({ duplicate: true, message: { quickReplies: ['S', 'M', 'L'] } });
    });

    it('binds a verified identity to one visitor per site, never rebinding', async () => {
      const other = await storage.createSite({ key: 'other', allowedOrigins: ['*'] });
      // The anonymous visitor is bound on first identification and found again later.
      const first = await storage.identifyVisitor({ siteId, externalId: 'user-1', visitorId });
      expect(first).toMatchObject({ id: visitorId, siteId, externalId: 'user-1' });
      expect(await storage.getVisitor(visitorId)).toEqual(first);
      const fromElsewhere = await storage.identifyVisitor({ siteId, externalId: 'user-1' });
      expect(fromElsewhere.id).toBe(visitorId);
      // A bound visitor is never moved onto another user id: user-2 gets a visitor of their own.
      const second = await storage.identifyVisitor({ siteId, externalId: 'user-2', visitorId });
      expect(second.id).not.toBe(visitorId);
      expect(second.externalId).toBe('user-2');
      expect((await storage.getVisitor(visitorId))!.externalId).toBe('user-1');
      // The same user id on another site is another person.
      const elsewhere = await storage.identifyVisitor({ siteId: other.id, externalId: 'user-1', visitorId });
      expect(elsewhere.id).not.toBe(visitorId);
      expect(elsewhere.siteId).toBe(other.id);
      // Concurrent first identifications agree on one visitor.
      const racers = await Promise.all([1, 2, 3, 4].map(() => storage.identifyVisitor({ siteId, externalId: 'user-3' })));
      expect(new Set(racers.map((v) => v.id)).size).toBe(1);
    });

    it('revokes an agent token and its login sessions', async () => {
      const agent = await storage.createAgent({ siteId, name: 'Alice', tokenHash: 'tok-hash' });
      await storage.createAgentSession({ agentId: agent.id, tokenHash: 'session-hash', expiresAt: Date.now() + 60_000 });
      expect((await storage.getAgentByTokenHash('session-hash'))?.id).toBe(agent.id);
      expect(await storage.revokeAgentCredentials(agent.id)).toBe(true);
      expect(await storage.getAgentByTokenHash('tok-hash')).toBeUndefined();
      expect(await storage.getAgentByTokenHash('session-hash')).toBeUndefined();
      expect(await storage.revokeAgentCredentials('a_nope')).toBe(false);
    });

    it('starts a conversation idempotently per visitor and clientId', async () => {
      const first = await storage.startConversation({ siteId, visitorId, clientId: 'k' });
      const again = await storage.startConversation({ siteId, visitorId, clientId: 'k' });
      expect(first.created).toBe(true);
      expect(again.created).toBe(false);
      expect(again.conversation.id).toBe(first.conversation.id);
      expect(first.conversation).toMatchObject({ status: 'bot', lastSeq: 0, visitorId, siteId });
      const other = await storage.createVisitor(siteId);
      const theirs = await storage.startConversation({ siteId, visitorId: other.id, clientId: 'k' });
      expect(theirs.conversation.id).not.toBe(first.conversation.id);
    });

    it('assigns seq 1, 2, 3 and deduplicates on clientId', async () => {
      const conv = await start();
      const a = await storage.appendMessage({ conversationId: conv.id, clientId: 'm1', author: visitor, kind: 'text', text: 'a' });
      const b = await storage.appendMessage({ conversationId: conv.id, clientId: 'm2', author: visitor, kind: 'text', text: 'b' });
      const again = await storage.appendMessage({ conversationId: conv.id, clientId: 'm1', author: visitor, kind: 'text', text: 'changed' });
      expect([a.message.seq, b.message.seq]).toEqual([1, 2]);
      expect(again).toEqual({ message: a.message, duplicate: true });
      expect((await storage.getConversation(conv.id))!.lastSeq).toBe(2);
    });

    it('has no seq gaps under concurrent sends, duplicates included', async () => {
      const conv = await start();
      const other = await start('start-2');
      const sends = [];
      for (let i = 0; i < 200; i++) {
        const target = i % 3 === 0 ? other.id : conv.id;
        sends.push(storage.appendMessage({ conversationId: target, clientId: `m${i % 150}`, author: visitor, kind: 'text', text: `${i}` }));
      }
      const results = await Promise.all(sends);
      for (const id of [conv.id, other.id]) {
        const seqs = results.filter((r) => r.message.conversationId === id && !r.duplicate).map((r) => r.message.seq);
        expect(seqs).toEqual(seqs.map((_, i) => i + 1));
        expect((await storage.getConversation(id))!.lastSeq).toBe(seqs.length);
      }
      const stored = await storage.listMessages({ conversationId: conv.id, afterSeq: 0, limit: 1000 });
      expect(new Set(stored.messages.map((m) => m.clientId)).size).toBe(stored.messages.length);
    });

    it('refuses unknown conversations and text to closed ones, without failing the rest of the batch', async () => {
      const conv = await start();
      const closed = await start('start-2');
      await storage.closeConversation(closed.id, 'visitor');
      const [ok, missing, refused] = await Promise.allSettled([
        storage.appendMessage({ conversationId: conv.id, clientId: 'a', author: visitor, kind: 'text', text: 'x' }),
        storage.appendMessage({ conversationId: 'c_nope', clientId: 'b', author: visitor, kind: 'text', text: 'x' }),
        storage.appendMessage({ conversationId: closed.id, clientId: 'c', author: visitor, kind: 'text', text: 'x' }),
      ]);
      expect(ok.status).toBe('fulfilled');
      expect(missing.status === 'rejected' && (missing.reason as ParleyError).code).toBe('CONVERSATION_NOT_FOUND');
      expect(refused.status === 'rejected' && (refused.reason as ParleyError).code).toBe('CONVERSATION_CLOSED');
    });

    it('replays after a seq and pages history both ways, ascending', async () => {
      const conv = await start();
      for (let i = 1; i <= 7; i++) {
        await storage.appendMessage({ conversationId: conv.id, clientId: `m${i}`, author: visitor, kind: 'text', text: `t${i}` });
      }
      const seqs = (page: { messages: { seq: number }[] }) => page.messages.map((m) => m.seq);
      const after = await storage.listMessages({ conversationId: conv.id, afterSeq: 2, limit: 3 });
      expect([seqs(after), after.hasMore]).toEqual([[3, 4, 5], true]);
      const tail = await storage.listMessages({ conversationId: conv.id, afterSeq: 5, limit: 3 });
      expect([seqs(tail), tail.hasMore]).toEqual([[6, 7], false]);
      const before = await storage.listMessages({ conversationId: conv.id, beforeSeq: 6, limit: 3 });
      expect([seqs(before), before.hasMore]).toEqual([[3, 4, 5], true]);
      const head = await storage.listMessages({ conversationId: conv.id, beforeSeq: 3, limit: 3 });
      expect([seqs(head), head.hasMore]).toEqual([[1, 2], false]);
      const latest = await storage.listMessages({ conversationId: conv.id, limit: 2 });
      expect([seqs(latest), latest.hasMore]).toEqual([[6, 7], true]);
      expect(after.messages[0]).toMatchObject({ text: 't3', clientId: 'm3', author: visitor, kind: 'text' });
    });

    it('escalates once, lists the queue oldest first, and assigns exactly once', async () => {
      const conv = await start();
      const second = await start('start-2');
      const transcript = [{ kind: 'question' as const, text: 'where is my order?', at: 1 }];
      const esc = await storage.escalate({ conversationId: conv.id, reason: 'low_confidence', transcript, profile: { email: 'a@b.c' } });
      expect(esc.changed).toBe(true);
      expect(esc.conversation).toMatchObject({ status: 'queued', escalationReason: 'low_confidence', profile: { name: 'Ada', email: 'a@b.c' } });
      expect((await storage.escalate({ conversationId: conv.id, reason: 'requested', transcript: [] })).changed).toBe(false);
      await storage.escalate({ conversationId: second.id, reason: 'requested', transcript: [] });
      const queue = await storage.listQueue(siteId);
      expect(queue.map((e) => e.conversationId)).toEqual([conv.id, second.id]);
      expect(queue[0]).toMatchObject({ reason: 'low_confidence', transcript, visitorId });

      const alice = await storage.createAgent({ siteId, name: 'Alice', tokenHash: 'h1' });
      const bob = await storage.createAgent({ siteId, name: 'Bob', tokenHash: 'h2' });
      const [x, y] = await Promise.all([storage.assign(conv.id, alice), storage.assign(conv.id, bob)]);
      expect([x.changed, y.changed].filter(Boolean)).toHaveLength(1);
      const winner = x.changed ? x : y;
      expect(winner.conversation).toMatchObject({ status: 'assigned', agent: { id: alice.id, name: 'Alice' }, lastSeq: 1 });
      expect(winner.event).toMatchObject({ seq: 1, kind: 'event', event: 'joined', author: { role: 'agent', id: alice.id } });
      expect((await storage.listQueue(siteId)).map((e) => e.conversationId)).toEqual([second.id]);
      expect((await storage.assign('c_nope', alice)).conversation).toBeUndefined();
    });

    it('closes once with an event message', async () => {
      const conv = await start();
      await storage.appendMessage({ conversationId: conv.id, clientId: 'm1', author: visitor, kind: 'text', text: 'x' });
      const first = await storage.closeConversation(conv.id, 'agent', 'resolved');
      const second = await storage.closeConversation(conv.id, 'visitor');
      expect(first).toMatchObject({ changed: true, conversation: { status: 'closed', lastSeq: 2 }, event: { seq: 2, kind: 'event', event: 'closed' } });
      expect(second.changed).toBe(false);
      // The code is kept with the event (history and resume read it back); people's messages never have one, even
      // with a clientId shaped like the server's own.
      const page = await storage.listMessages({ conversationId: conv.id, afterSeq: 0, limit: 10 });
      expect(page.messages.map((m) => m.event)).toEqual([undefined, 'closed']);
      const other = await start('start-2');
      await storage.appendMessage({ conversationId: other.id, clientId: 'evt_closed_1', author: visitor, kind: 'text', text: 'x' });
      expect((await storage.listMessages({ conversationId: other.id, afterSeq: 0, limit: 10 })).messages.map((m) => m.event)).toEqual([undefined]);
      expect((await storage.closeConversation('c_nope', 'agent')).conversation).toBeUndefined();
    });

    it('stores a rating once', async () => {
      const conv = await start();
      const first = await storage.rate({ conversationId: conv.id, score: 4, comment: 'nice' });
      const second = await storage.rate({ conversationId: conv.id, score: 1 });
      expect(first).toMatchObject({ created: true, rating: { score: 4, comment: 'nice' } });
      expect(second).toMatchObject({ created: false, rating: { score: 4, comment: 'nice' } });
      expect(await codeOf(storage.rate({ conversationId: 'c_nope', score: 3 }))).toBe('CONVERSATION_NOT_FOUND');
    });

    it('keeps read markers monotonic and within lastSeq', async () => {
      const conv = await start();
      await storage.appendMessage({ conversationId: conv.id, clientId: 'm1', author: visitor, kind: 'text', text: 'x' });
      await storage.appendMessage({ conversationId: conv.id, clientId: 'm2', author: visitor, kind: 'text', text: 'y' });
      expect(await storage.markRead(conv.id, 'agent', 1)).toBe(1);
      expect(await storage.markRead(conv.id, 'agent', 0)).toBe(1);
      expect(await storage.markRead(conv.id, 'visitor', 99)).toBe(2);
      expect(await codeOf(storage.markRead('c_nope', 'visitor', 1))).toBe('CONVERSATION_NOT_FOUND');
    });

    it('records the visitor page in the profile', async () => {
      const conv = await start();
      await storage.recordPage(conv.id, 'https://shop.example/cart', 'Cart');
      expect((await storage.getConversation(conv.id))!.profile).toMatchObject({ name: 'Ada', page: 'https://shop.example/cart' });
    });

    it('finds agents by token hash only', async () => {
      const agent = await storage.createAgent({ siteId, name: 'Alice', tokenHash: 'abc' });
      expect(await storage.getAgentByTokenHash('abc')).toMatchObject({ id: agent.id, name: 'Alice', siteId, availability: 'offline', role: 'agent' });
      expect(await storage.getAgentByTokenHash('abd')).toBeUndefined();
      await storage.setAgentAvailability(agent.id, 'online');
      expect((await storage.getAgentByTokenHash('abc'))!.availability).toBe('online');
      expect(await codeOf(storage.createAgent({ siteId, name: 'Dup', tokenHash: 'abc' }))).toBe('STORAGE_UNAVAILABLE');
    });

    it('stores e-mail, password hash and role, and finds credentials by e-mail', async () => {
      const admin = await storage.createAgent({ siteId, name: 'Ann', tokenHash: 't-ann', email: 'ann@x.io', passwordHash: 'scrypt$1', role: 'admin' });
      const plain = await storage.createAgent({ siteId, name: 'Tok', tokenHash: 't-tok' });
      expect(admin).toMatchObject({ role: 'admin', email: 'ann@x.io' });
      expect(plain.role).toBe('agent');
      expect(plain.email).toBeUndefined();
      expect(await storage.getAgentCredentials('ann@x.io')).toEqual({ agent: admin, passwordHash: 'scrypt$1' });
      expect(await storage.getAgentCredentials('nobody@x.io')).toBeUndefined();
      expect(await storage.getAgentByTokenHash('t-ann')).toEqual(admin);
      expect(await codeOf(storage.createAgent({ siteId, name: 'Dup', tokenHash: 't-dup', email: 'ann@x.io' }))).toBe('STORAGE_UNAVAILABLE');
    });

    it('accepts login sessions until they expire or are deleted', async () => {
      const agent = await storage.createAgent({ siteId, name: 'Ann', tokenHash: 't-ann', email: 'ann@x.io' });
      await storage.createAgentSession({ agentId: agent.id, tokenHash: 's-live', expiresAt: Date.now() + 60_000 });
      await storage.createAgentSession({ agentId: agent.id, tokenHash: 's-old', expiresAt: Date.now() - 1 });
      expect(await storage.getAgentByTokenHash('s-live')).toEqual(agent);
      expect(await storage.getAgentByTokenHash('s-old')).toBeUndefined();
      await storage.deleteAgentSession('s-live');
      await storage.deleteAgentSession('s-unknown');
      expect(await storage.getAgentByTokenHash('s-live')).toBeUndefined();
    });

    it('searches conversations newest first by status, visitor name, e-mail and message text', async () => {
      const first = await start('a');
      const second = (await storage.startConversation({ siteId, visitorId, clientId: 'b', profile: { name: 'Bob', email: 'bob@shop.io' } })).conversation;
      const third = (await storage.startConversation({ siteId, visitorId, clientId: 'c', profile: {} })).conversation;
      await storage.appendMessage({ conversationId: third.id, clientId: 'm1', author: visitor, kind: 'text', text: 'Where is my PARCEL?' });
      await storage.appendMessage({ conversationId: third.id, clientId: 'm2', author: visitor, kind: 'text', text: '100% sure' });
      await storage.closeConversation(first.id, 'agent', 'resolved');
      const ids = async (q: Partial<Parameters<Storage['searchConversations']>[0]>) =>
        (await storage.searchConversations({ siteId, limit: 50, ...q })).map((c) => c.id);
      expect(await ids({})).toEqual([third.id, second.id, first.id]);
      expect(await ids({ limit: 2 })).toEqual([third.id, second.id]);
      expect(await ids({ limit: 2, offset: 2 })).toEqual([first.id]);
      expect(await ids({ limit: 1, offset: 1 })).toEqual([second.id]);
      expect(await ids({ offset: 3 })).toEqual([]);
      expect(await ids({ status: 'closed' })).toEqual([first.id]);
      expect(await ids({ q: 'ada' })).toEqual([first.id]);
      expect(await ids({ q: 'BOB@shop' })).toEqual([second.id]);
      expect(await ids({ q: 'parcel' })).toEqual([third.id]);
      expect(await ids({ q: '100%' })).toEqual([third.id]);
      expect(await ids({ q: '%' })).toEqual([third.id]);
      expect(await ids({ q: '_' })).toEqual([]);
      expect(await ids({ siteId: 'site_none' })).toEqual([]);
      const [latest] = await storage.searchConversations({ siteId, limit: 1 });
      expect(latest).toMatchObject({ id: third.id, status: 'bot', lastSeq: 2, lastMessage: { text: '100% sure', role: 'visitor' } });
      const [closed] = await storage.searchConversations({ siteId, limit: 1, status: 'closed' });
      expect(closed!.closedAt).toEqual(expect.any(Number));
    });

    it('returns a conversation with transcript, pages visited, rating and close details', async () => {
      const conv = await start();
      expect(await storage.getConversationDetail('c_nope')).toBeUndefined();
      expect(await storage.getConversationDetail(conv.id)).toMatchObject({ id: conv.id, transcript: [], pages: [] });
      await storage.recordPage(conv.id, 'https://shop.example/', 'Home');
      await storage.recordPage(conv.id, 'https://shop.example/cart');
      const transcript = [{ kind: 'question' as const, text: 'refund?', at: 1 }, { kind: 'answer' as const, text: 'Within 30 days.', at: 2, entryId: 'refunds', confidence: 0.42 }];
      await storage.escalate({ conversationId: conv.id, reason: 'low_confidence', transcript });
      const alice = await storage.createAgent({ siteId, name: 'Alice', tokenHash: 'h1' });
      await storage.assign(conv.id, alice);
      await storage.closeConversation(conv.id, 'agent', 'resolved');
      await storage.rate({ conversationId: conv.id, score: 5, comment: 'great' });
      const detail = await storage.getConversationDetail(conv.id);
      expect(detail).toMatchObject({
        status: 'closed',
        escalationReason: 'low_confidence',
        agent: { id: alice.id, name: 'Alice' },
        transcript,
        pages: [{ url: 'https://shop.example/', title: 'Home' }, { url: 'https://shop.example/cart' }],
        rating: { score: 5, comment: 'great' },
        closedBy: 'agent',
        closeReason: 'resolved',
      });
      expect(detail!.closedAt).toEqual(expect.any(Number));
      expect(detail!.pages[1]).not.toHaveProperty('title');
    });

    it('lists ratings since a time with the agent who had the conversation', async () => {
      const conv = await start();
      const other = await start('start-2');
      await storage.escalate({ conversationId: conv.id, reason: 'requested', transcript: [] });
      const alice = await storage.createAgent({ siteId, name: 'Alice', tokenHash: 'h1' });
      await storage.assign(conv.id, alice);
      const since = Date.now() - 1000;
      await storage.rate({ conversationId: conv.id, score: 4 });
      await storage.rate({ conversationId: other.id, score: 2, comment: 'meh' });
      const ratings = await storage.listRatings({ siteId, sinceMs: since });
      expect(ratings).toHaveLength(2);
      expect(ratings.find((r) => r.conversationId === conv.id)).toMatchObject({ score: 4, agent: { id: alice.id, name: 'Alice' } });
      expect(ratings.find((r) => r.conversationId === other.id)).toMatchObject({ score: 2, comment: 'meh' });
      expect(ratings.find((r) => r.conversationId === other.id)!.agent).toBeUndefined();
      expect(await storage.listRatings({ siteId, sinceMs: Date.now() + 60_000 })).toEqual([]);
    });

    it('drains pending appends on close and refuses work afterwards with STORAGE_UNAVAILABLE', async () => {
      const conv = await start();
      const write = storage.appendMessage({ conversationId: conv.id, clientId: 'm1', author: visitor, kind: 'text', text: 'x' });
      await storage.close();
      expect((await write).message.seq).toBe(1);
      expect(await codeOf(storage.getConversation(conv.id))).toBe('STORAGE_UNAVAILABLE');
      expect(await codeOf(storage.appendMessage({ conversationId: conv.id, clientId: 'm2', author: visitor, kind: 'text', text: 'x' }))).toBe(
        'STORAGE_UNAVAILABLE',
      );
      storage = await makeStorage(); // afterEach closes whatever is current
    });
  });
}
