// @vitest-environment jsdom
// The store's chat tools beyond messaging: automatic assignment, internal notes, transfer, close with a reason.
import { describe, expect, it, vi } from 'vitest';
import { ParleyError } from '@parley/protocol';
import { fakeApi, makeStore, QUEUE_ENTRY } from '../test-support/fakes.js';

async function signedIn(options: Parameters<typeof makeStore>[0] = {}) {
  const t = makeStore(options);
  await t.store.getState().login('alice@shop.io', 'pw');
  return t;
}

const assigned = (conversationId: string, agent = { id: 'a_1', name: 'Alice' }) => ({ type: 'conversation.assigned' as const, conversationId, agent });
const note = (clientId: string, text: string, at: number, conversationId = 'c_1') => ({ conversationId, clientId, author: { role: 'agent' as const, id: 'a_2', name: 'Bob' }, text, at });

describe('createConsoleStore: automatic assignment', () => {
  it('joins a chat the server assigned to this agent, with the queue entry, a notice and a notification', async () => {
    const t = await signedIn();
    t.client().emit('queue', { type: 'queue.snapshot', entries: [QUEUE_ENTRY] });
    t.client().emit('frame', assigned('c_1'));
    const chat = t.store.getState().chats.c_1!;
    expect(chat).toMatchObject({ status: 'assigned', visitor: { name: 'Ada' }, reason: 'negative_feedback' });
    expect(t.store.getState().activeChatId).toBe('c_1');
    expect(t.client().join).toHaveBeenCalledWith('c_1');
    await vi.waitFor(() => expect(t.store.getState().notice).toBe('New chat with Ada assigned to you.'));
    expect(t.api.getConversation).toHaveBeenCalledWith('pat_session', 'c_1');
    expect(t.notifier.notify).toHaveBeenLastCalledWith('New chat assigned to you', 'Ada: where is my parcel', 'assigned-c_1');
    // The same push again (another node, a retry) changes nothing.
    t.client().emit('frame', assigned('c_1'));
    expect(t.store.getState().chatOrder).toEqual(['c_1']);
    expect(t.client().join).toHaveBeenCalledTimes(1);
  });

  it('names the visitor from the detail when the chat was assigned straight from the hand-off', async () => {
    const t = await signedIn();
    t.client().emit('frame', assigned('c_5'));
    await vi.waitFor(() => expect(t.store.getState().notice).toBe('New chat with Ada assigned to you.'));
    expect(t.store.getState().chats.c_5!.visitor.name).toBe('Ada');
  });

  it('ignores assignments to colleagues and the reply to its own accept', async () => {
    const t = await signedIn();
    t.client().emit('frame', assigned('c_2', { id: 'a_2', name: 'Bob' }));
    t.client().emit('frame', { ...assigned('c_3'), ref: 'r1' });
    expect(t.store.getState().chatOrder).toEqual([]);
  });

  it('drops a chat of ours that a colleague now has', async () => {
    const t = await signedIn();
    t.client().emit('frame', assigned('c_1'));
    t.client().emit('frame', assigned('c_1', { id: 'a_2', name: 'Bob' }));
    expect(t.store.getState().chats.c_1).toBeUndefined();
    expect(t.store.getState().notice).toContain('now with Bob');
  });
});

describe('createConsoleStore: internal notes', () => {
  it('adds a note through note.add, keeps notes in time order, dedupes pushes, and loads them with the chat', async () => {
    const getConversation = vi.fn(async (_token: string, id: string) => ({
      ...(await fakeApi().getConversation('t', id)),
      notes: [note('n-old', 'earlier note', 5)],
    }));
    const t = await signedIn({ api: fakeApi({ getConversation }) });
    t.client().emit('frame', assigned('c_1'));
    await vi.waitFor(() => expect(t.store.getState().chats.c_1!.notes.map((n) => n.text)).toEqual(['earlier note']));
    t.store.getState().setDraft('c_1', 'VIP, refund ok', { isNote: true });
    expect(t.client().typing).not.toHaveBeenCalled();
    await t.store.getState().addNote('c_1', '  VIP, refund ok ');
    const sent = t.client().request.mock.calls.at(-1)![0] as { type: string; clientId: string; text: string };
    expect(sent).toMatchObject({ type: 'note.add', conversationId: 'c_1', text: 'VIP, refund ok' });
    expect(sent.clientId).toMatch(/^note_/);
    const stored = t.store.getState().chats.c_1!.notes;
    expect(stored.map((n) => n.text)).toEqual(['earlier note', 'VIP, refund ok']);
    expect(t.store.getState().chats.c_1!.draft).toBe('');
    // The push of the same note (every agent of the site gets it) is not shown twice; a colleague's note is added.
    t.client().emit('frame', { type: 'note.new', note: stored[1]! });
    t.client().emit('frame', { type: 'note.new', note: note('n-bob', 'from Bob', 1) });
    t.client().emit('frame', { type: 'note.new', note: note('n-other', 'other chat', 2, 'c_9') });
    expect(t.store.getState().chats.c_1!.notes.map((n) => n.text)).toEqual(['from Bob', 'earlier note', 'VIP, refund ok']);
    expect(t.store.getState().chats.c_9).toBeUndefined();
  });

  it('gives the text back when a note is refused', async () => {
    const t = await signedIn();
    t.client().emit('frame', assigned('c_1'));
    t.client().request.mockImplementationOnce(async () => Promise.reject(new ParleyError('CONVERSATION_NOT_FOUND', 'no such conversation')));
    await t.store.getState().addNote('c_1', 'keep me');
    expect(t.store.getState().chats.c_1!.draft).toBe('keep me');
    expect(t.store.getState().notice).toBe('The note was not saved: no such conversation');
  });
});

describe('createConsoleStore: transfer and close', () => {
  it('lists colleagues, transfers to one, and drops the chat', async () => {
    const t = await signedIn();
    t.client().emit('frame', assigned('c_1'));
    await t.store.getState().loadAgents();
    expect(t.store.getState().agents.list.map((a) => a.name)).toEqual(['Alice', 'Bob', 'Cem']);
    await t.store.getState().transferChat('c_1', 'a_2');
    expect(t.client().request).toHaveBeenLastCalledWith({ type: 'conversation.transfer', conversationId: 'c_1', toAgentId: 'a_2' });
    expect(t.store.getState().chats.c_1).toBeUndefined();
    expect(t.store.getState().notice).toBe('Conversation handed to Bob.');
  });

  it('sends a chat back to the queue, and keeps it when the server refuses', async () => {
    const t = await signedIn();
    t.client().emit('frame', assigned('c_1'));
    t.client().request.mockImplementationOnce(async () => Promise.reject(new ParleyError('AUTH_FORBIDDEN', 'that agent has no free capacity')));
    await t.store.getState().transferChat('c_1', 'a_2');
    expect(t.store.getState().chats.c_1).toBeDefined();
    expect(t.store.getState().notice).toBe('Could not transfer: that agent has no free capacity');
    await t.store.getState().transferChat('c_1', undefined);
    expect(t.client().request).toHaveBeenLastCalledWith({ type: 'conversation.transfer', conversationId: 'c_1' });
    expect(t.store.getState().chats.c_1).toBeUndefined();
    expect(t.store.getState().notice).toBe('Conversation sent back to the queue.');
  });

  it('closes with a reason and optional detail, bounded', async () => {
    const t = await signedIn();
    t.client().emit('frame', assigned('c_1'));
    await t.store.getState().closeChat('c_1', 'other', '  asked for a refund by phone ');
    expect(t.client().request).toHaveBeenLastCalledWith({ type: 'conversation.close', conversationId: 'c_1', reason: 'other: asked for a refund by phone' });
    await t.store.getState().closeChat('c_1', 'resolved', 'x'.repeat(1000));
    const reason = (t.client().request.mock.calls.at(-1)![0] as { reason: string }).reason;
    expect(reason.length).toBeLessThanOrEqual(512);
    await t.store.getState().closeChat('c_1', 'spam');
    expect(t.client().request).toHaveBeenLastCalledWith({ type: 'conversation.close', conversationId: 'c_1', reason: 'spam' });
  });
});

describe('createConsoleStore: history paging', () => {
  it('pages a search 50 at a time with offsets, appending without duplicates', async () => {
    const row = (i: number) => ({ id: `c_${i}`, status: 'closed' as const, createdAt: 1000 - i, lastSeq: 1, profile: { name: `V${i}` } });
    const listConversations = vi.fn(async (_token: string, query: { offset?: number; limit?: number; status?: string } = {}) => {
      const all = Array.from({ length: 60 }, (_, i) => row(i));
      // One conversation shows up again on the next page (it moved down meanwhile).
      const start = (query.offset ?? 0) === 0 ? 0 : (query.offset ?? 0) - 1;
      return query.status === 'offline' || query.status === 'assigned' ? [] : all.slice(start, start + (query.limit ?? 50));
    });
    const t = await signedIn({ api: fakeApi({ listConversations }) });
    await t.store.getState().searchHistory({ q: 'parcel', status: 'closed' });
    expect(listConversations).toHaveBeenLastCalledWith('pat_session', { q: 'parcel', limit: 50, status: 'closed' });
    expect(t.store.getState().history).toMatchObject({ hasMore: true });
    expect(t.store.getState().history.results).toHaveLength(50);
    await t.store.getState().loadMoreHistory();
    expect(listConversations).toHaveBeenLastCalledWith('pat_session', { q: 'parcel', limit: 50, offset: 50, status: 'closed' });
    const ids = t.store.getState().history.results.map((c) => c.id);
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    expect(t.store.getState().history.hasMore).toBe(false);
  });
});
