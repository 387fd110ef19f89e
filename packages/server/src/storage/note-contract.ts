// The NoteStore contract: idempotent notes, outside the message seq, kept per conversation and erased with it.
// Run by runStorageContract for every adapter. Test-only module.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from './storage.js';

export function runNoteContract(name: string, makeStorage: () => Storage | Promise<Storage>): void {
  describe(`Note contract: ${name}`, () => {
    let storage: Storage;
    let siteId: string;

    beforeEach(async () => {
      storage = await makeStorage();
      siteId = (await storage.getDefaultSite()).id;
    });
    afterEach(async () => {
      await storage.close();
    });

    async function conversation() {
      const visitor = await storage.createVisitor(siteId);
      return { visitor, conversation: (await storage.startConversation({ siteId, visitorId: visitor.id, clientId: 'c1' })).conversation };
    }
    const author = { role: 'agent' as const, id: 'agent-1', name: 'Ana' };

    it('stores notes once per clientId, oldest first, without touching the message seq', async () => {
      const { conversation: c } = await conversation();
      await storage.appendMessage({ conversationId: c.id, clientId: 'm1', author: { role: 'visitor', id: c.visitorId }, kind: 'text', text: 'hi' });
      const first = await storage.addNote({ conversationId: c.id, clientId: 'n1', author, text: 'VIP customer' });
      const again = await storage.addNote({ conversationId: c.id, clientId: 'n1', author, text: 'changed on retry' });
      await storage.addNote({ conversationId: c.id, clientId: 'n2', author, text: 'second' });
      expect(first.duplicate).toBe(false);
      expect(again).toEqual({ note: first.note, duplicate: true });
      expect(first.note).toMatchObject({ conversationId: c.id, clientId: 'n1', author, text: 'VIP customer' });
      expect((await storage.listNotes(c.id, 10)).map((n) => n.text)).toEqual(['VIP customer', 'second']);
      expect((await storage.listNotes(c.id, 1)).map((n) => n.text)).toEqual(['VIP customer']);
      expect((await storage.getConversation(c.id))!.lastSeq).toBe(1);
      expect((await storage.listMessages({ conversationId: c.id, limit: 50 })).messages.map((m) => m.text)).toEqual(['hi']);
    });

    it('refuses an unknown conversation and allows notes after closing', async () => {
      await expect(storage.addNote({ conversationId: 'nope', clientId: 'n1', author, text: 'x' })).rejects.toMatchObject({ code: 'CONVERSATION_NOT_FOUND' });
      const { conversation: c } = await conversation();
      await storage.closeConversation(c.id, 'agent', 'resolved');
      expect((await storage.addNote({ conversationId: c.id, clientId: 'n1', author, text: 'follow up by mail' })).duplicate).toBe(false);
    });

    it('erasing the visitor erases the notes on their conversations', async () => {
      const { visitor, conversation: c } = await conversation();
      await storage.addNote({ conversationId: c.id, clientId: 'n1', author, text: 'secret' });
      await storage.eraseVisitor(visitor.id);
      expect(await storage.listNotes(c.id, 10)).toEqual([]);
    });
  });
}
