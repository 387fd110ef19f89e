// The PrivacyStore contract (export, erasure, retention, agent administration); runStorageContract runs it for
// every adapter. Test-only module.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Author } from '@parley/protocol';
import type { Storage } from './storage.js';

export function runPrivacyContract(name: string, makeStorage: () => Storage | Promise<Storage>): void {
  describe(`PrivacyStore contract: ${name}`, () => {
    let storage: Storage;
    let siteId: string;

    beforeEach(async () => {
      storage = await makeStorage();
      siteId = (await storage.getDefaultSite()).id;
    });
    afterEach(async () => {
      await storage.close();
    });

    /** A visitor with one escalated, assigned, rated, closed conversation (with an attachment) and one open one. */
    async function seedVisitor(tag: string) {
      const visitor = await storage.createVisitor(siteId);
      const author: Author = { role: 'visitor', id: visitor.id };
      const first = (await storage.startConversation({ siteId, visitorId: visitor.id, clientId: `${tag}-1`, profile: { name: tag } })).conversation;
      await storage.appendMessage({ conversationId: first.id, clientId: 'm1', author, kind: 'text', text: `${tag} says hi` });
      await storage.appendMessage({
        conversationId: first.id,
        clientId: 'm2',
        author,
        kind: 'text',
        text: 'see attached',
        attachments: [{ name: 'a.png', mime: 'image/png', size: 3, url: `https://files.example/${tag}/a.png` }],
      });
      await storage.recordPage(first.id, `https://shop.example/${tag}`, 'Cart');
      await storage.escalate({ conversationId: first.id, reason: 'requested', transcript: [{ kind: 'question', text: `${tag} question`, at: 1 }] });
      await storage.closeConversation(first.id, 'visitor');
      await storage.rate({ conversationId: first.id, score: 5, comment: `${tag} thanks` });
      const second = (await storage.startConversation({ siteId, visitorId: visitor.id, clientId: `${tag}-2` })).conversation;
      await storage.appendMessage({ conversationId: second.id, clientId: 'm1', author, kind: 'text', text: 'again' });
      return { visitor, first, second };
    }

    it('lists a visitor\'s conversations, oldest first, and no one else\'s', async () => {
      const ada = await seedVisitor('ada');
      await seedVisitor('bob');
      expect(await storage.listVisitorConversations(ada.visitor.id)).toEqual([ada.first.id, ada.second.id]);
      expect(await storage.listVisitorConversations('v_unknown')).toEqual([]);
    });

    it('erases a visitor everywhere and leaves other visitors alone', async () => {
      const ada = await seedVisitor('ada');
      const bob = await seedVisitor('bob');
      // An append still queued when the erasure starts lands first and is erased with the rest.
      const late = storage.appendMessage({ conversationId: ada.second.id, clientId: 'late', author: { role: 'visitor', id: ada.visitor.id }, kind: 'text', text: 'late' });
      const result = await storage.eraseVisitor(ada.visitor.id);
      await late;
      expect(result).toEqual({ conversations: 2, messages: 5, attachmentUrls: ['https://files.example/ada/a.png'] });
      expect(await storage.getVisitor(ada.visitor.id)).toBeUndefined();
      for (const c of [ada.first, ada.second]) {
        expect(await storage.getConversation(c.id)).toBeUndefined();
        expect(await storage.getConversationDetail(c.id)).toBeUndefined();
        expect((await storage.listMessages({ conversationId: c.id, limit: 100 })).messages).toEqual([]);
      }
      const all = await storage.searchConversations({ siteId, limit: 200 });
      expect(all.map((c) => c.id).sort()).toEqual([bob.first.id, bob.second.id].sort());
      expect(await storage.searchConversations({ siteId, q: 'ada', limit: 200 })).toEqual([]);
      const ratings = await storage.listRatings({ siteId, sinceMs: 0 });
      expect(ratings.map((r) => r.conversationId)).toEqual([bob.first.id]);
      // Bob is intact.
      expect(await storage.getVisitor(bob.visitor.id)).toBeDefined();
      expect((await storage.getConversationDetail(bob.first.id))?.pages).toHaveLength(1);
      expect((await storage.listMessages({ conversationId: bob.first.id, limit: 100 })).messages).toHaveLength(3);
      // A second erasure finds nothing.
      expect(await storage.eraseVisitor(ada.visitor.id)).toBeUndefined();
    });

    it('applies retention to closed conversations only, in batches, then to visitors left empty', async () => {
      const ada = await seedVisitor('ada');
      const bob = await seedVisitor('bob');
      const cleo = await storage.createVisitor(siteId);
      const cleoConv = (await storage.startConversation({ siteId, visitorId: cleo.id, clientId: 'c-1' })).conversation;
      await storage.closeConversation(cleoConv.id, 'agent');
      // A cutoff in the past touches nothing that was just closed.
      expect(await storage.applyRetention({ closedBefore: Date.now() - 60_000, limit: 10 })).toEqual({ conversations: 0, visitors: 0 });
      const cutoff = Date.now() + 1000;
      const firstPass = await storage.applyRetention({ closedBefore: cutoff, limit: 2 });
      expect(firstPass.conversations).toBe(2);
      const secondPass = await storage.applyRetention({ closedBefore: cutoff, limit: 2 });
      expect(secondPass.conversations).toBe(1);
      expect(firstPass.visitors + secondPass.visitors).toBe(1); // Cleo: her only conversation is gone
      expect(await storage.applyRetention({ closedBefore: cutoff, limit: 2 })).toEqual({ conversations: 0, visitors: 0 });
      for (const id of [ada.first.id, bob.first.id, cleoConv.id]) expect(await storage.getConversation(id)).toBeUndefined();
      expect((await storage.listMessages({ conversationId: ada.first.id, limit: 10 })).messages).toEqual([]);
      // Open conversations and their visitors stay.
      expect(await storage.getConversation(ada.second.id)).toBeDefined();
      expect(await storage.getVisitor(ada.visitor.id)).toBeDefined();
      expect(await storage.getVisitor(cleo.id)).toBeUndefined();
      expect(await storage.listRatings({ siteId, sinceMs: 0 })).toEqual([]);
    });

    it('lists agents and disables one: token, sessions and password all stop working', async () => {
      const alice = await storage.createAgent({ siteId, name: 'Alice', tokenHash: 'hash-alice', email: 'alice@x.io', passwordHash: 'scrypt$x' });
      const bob = await storage.createAgent({ siteId, name: 'Bob', tokenHash: 'hash-bob', role: 'admin' });
      await storage.createAgentSession({ agentId: alice.id, tokenHash: 'session-alice', expiresAt: Date.now() + 60_000 });
      let agents = await storage.listAgents(siteId);
      expect(agents.map((a) => [a.name, a.role, a.disabled])).toEqual([['Alice', 'agent', false], ['Bob', 'admin', false]]);
      expect(agents[0]!.createdAt).toBeGreaterThan(0);
      expect(await storage.disableAgent(alice.id)).toBe(true);
      expect(await storage.getAgentByTokenHash('hash-alice')).toBeUndefined();
      expect(await storage.getAgentByTokenHash('session-alice')).toBeUndefined();
      expect((await storage.getAgentCredentials('alice@x.io'))?.passwordHash).toBeUndefined();
      agents = await storage.listAgents(siteId);
      expect(agents.find((a) => a.id === alice.id)).toMatchObject({ disabled: true, availability: 'offline' });
      expect(agents.find((a) => a.id === bob.id)?.disabled).toBe(false);
      expect(await storage.getAgentByTokenHash('hash-bob')).toBeDefined();
      expect(await storage.disableAgent('a_unknown')).toBe(false);
      expect(await storage.listAgents('site_unknown')).toEqual([]);
    });
  });
}
