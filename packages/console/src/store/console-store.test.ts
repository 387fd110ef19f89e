// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ParleyError } from '@parley/protocol';
import { fakeApi, makeStore, QUEUE_ENTRY, visitorMessage } from '../test-support/fakes.js';

afterEach(() => {
  vi.useRealTimers();
});

async function signedIn(options: Parameters<typeof makeStore>[0] = {}) {
  const t = makeStore(options);
  await t.store.getState().login('alice@shop.io', 'pw');
  return t;
}

async function withChat() {
  const t = await signedIn();
  t.client().emit('queue', { type: 'queue.snapshot', entries: [QUEUE_ENTRY] });
  await t.store.getState().accept('c_1');
  return t;
}

describe('createConsoleStore: session', () => {
  it('logs in, keeps the token in sessionStorage, connects and goes online', async () => {
    const t = await signedIn();
    const state = t.store.getState();
    expect(state.auth).toMatchObject({ status: 'signed-in', token: 'pat_session', agent: { name: 'Alice' } });
    expect(t.session.map.get('parley-console:token')).toBe('pat_session');
    expect(state.availability).toBe('online');
    expect(t.client().request).toHaveBeenCalledWith({ type: 'agent.availability', availability: 'online', capacity: 3 });
  });

  it('shows a readable error for wrong credentials and for rate limiting', async () => {
    const t = makeStore({ api: fakeApi({ login: vi.fn(async () => Promise.reject(new ParleyError('AUTH_INVALID_TOKEN', 'x'))) }) });
    await t.store.getState().login('a', 'b');
    expect(t.store.getState().auth).toEqual({ status: 'signed-out', error: 'Wrong e-mail or password.' });
    const r = makeStore({ api: fakeApi({ login: vi.fn(async () => Promise.reject(new ParleyError('RATE_LIMITED', 'x'))) }) });
    await r.store.getState().login('a', 'b');
    expect(r.store.getState().auth.error).toContain('Too many attempts');
  });

  it('restores a stored session, and drops a refused one', async () => {
    const t = makeStore();
    t.session.setItem('parley-console:token', 'pat_old');
    await t.store.getState().restoreSession();
    expect(t.store.getState().auth.status).toBe('signed-in');
    const refused = makeStore({ api: fakeApi({ me: vi.fn(async () => Promise.reject(new ParleyError('AUTH_INVALID_TOKEN', 'x'))) }) });
    refused.session.setItem('parley-console:token', 'pat_old');
    await refused.store.getState().restoreSession();
    expect(refused.store.getState().auth).toMatchObject({ status: 'signed-out', error: expect.stringContaining('session has ended') });
    expect(refused.session.map.has('parley-console:token')).toBe(false);
  });

  it('reopens chats still assigned to this agent', async () => {
    const listConversations = vi.fn(async () => [
      { id: 'c_9', status: 'assigned' as const, createdAt: 1, lastSeq: 3, profile: { name: 'Zed' }, agent: { id: 'a_1', name: 'Alice' } },
      { id: 'c_8', status: 'assigned' as const, createdAt: 1, lastSeq: 3, profile: {}, agent: { id: 'a_2', name: 'Bob' } },
    ]);
    const t = await signedIn({ api: fakeApi({ listConversations }) });
    await vi.waitFor(() => expect(t.store.getState().chatOrder).toEqual(['c_9']));
    expect(t.client().join).toHaveBeenCalledWith('c_9');
  });

  it('signs out locally and on the server, closing the connection', async () => {
    const t = await signedIn();
    const client = t.client();
    await t.store.getState().logout();
    expect(t.store.getState().auth.status).toBe('signed-out');
    expect(client.close).toHaveBeenCalled();
    expect(t.api.logout).toHaveBeenCalledWith('pat_session');
    expect(t.session.map.size).toBe(0);
  });

  it('signs out when the socket refuses the token', async () => {
    const t = await signedIn();
    t.client().emit('error', new ParleyError('AUTH_INVALID_TOKEN', 'bad'));
    await vi.waitFor(() => expect(t.store.getState().auth.status).toBe('signed-out'));
  });
});

describe('createConsoleStore: queue and chats', () => {
  it('keeps the queue from snapshots and notifies only for new entries', async () => {
    const t = await signedIn();
    t.client().emit('queue', { type: 'queue.snapshot', entries: [QUEUE_ENTRY] });
    expect(t.store.getState().queue).toHaveLength(1);
    expect(t.notifier.notify).not.toHaveBeenCalled();
    t.client().emit('queue', { type: 'queue.snapshot', entries: [QUEUE_ENTRY, { ...QUEUE_ENTRY, conversationId: 'c_2', position: 2 }] });
    expect(t.notifier.notify).toHaveBeenCalledTimes(1);
    expect(t.notifier.notify).toHaveBeenCalledWith('New visitor waiting', expect.stringContaining('where is my parcel'), 'queue-c_2');
    expect(t.notifier.setBadge).toHaveBeenLastCalledWith(2);
  });

  it('loads what each waiting visitor wrote after the hand-off (a left message), once per entry', async () => {
    const left = { ...visitorMessage(2, 'Please call me back'), isMine: undefined };
    const agentEvent = { conversationId: 'c_1', seq: 1, clientId: 'e1', author: { role: 'agent' as const, id: 'a_2' }, kind: 'event' as const, text: 'x', at: 1 };
    const getConversation = vi.fn(async (_token: string, id: string) => ({
      conversation: { id, siteId: 's', visitorId: 'v_1', status: 'queued' as const, lastSeq: 2, createdAt: 1, profile: {}, visitorReadSeq: 0, agentReadSeq: 0, transcript: [], pages: [] },
      messages: id === 'c_1' ? [agentEvent, left] : [],
      hasMoreMessages: false,
    }));
    const t = await signedIn({ api: fakeApi({ getConversation }) });
    t.client().emit('queue', { type: 'queue.snapshot', entries: [QUEUE_ENTRY, { ...QUEUE_ENTRY, conversationId: 'c_2', position: 2 }] });
    await vi.waitFor(() => expect(t.store.getState().queueMessages.c_1).toEqual([left]));
    expect(t.store.getState().queueMessages.c_2).toBeUndefined();
    t.client().emit('queue', { type: 'queue.snapshot', entries: [QUEUE_ENTRY] });
    expect(getConversation).toHaveBeenCalledTimes(2);
    t.client().emit('queue', { type: 'queue.snapshot', entries: [] });
    expect(t.store.getState().queueMessages).toEqual({});
  });

  it('lists messages left while nobody was online, and answering one opens its chat', async () => {
    const left = { id: 'c_7', status: 'offline' as const, createdAt: 1, lastSeq: 1, profile: { name: 'Jo', email: 'jo@x.io' }, escalationReason: 'out_of_scope' as const };
    const listConversations = vi.fn(async (_token: string, query?: { status?: string }) => (query?.status === 'offline' ? [left] : []));
    const t = await signedIn({ api: fakeApi({ listConversations }) });
    await vi.waitFor(() => expect(t.store.getState().offline).toEqual([left]));
    expect(listConversations).toHaveBeenCalledWith('pat_session', { status: 'offline', limit: 50 });
    await t.store.getState().accept('c_7');
    expect(t.client().request).toHaveBeenCalledWith({ type: 'conversation.accept', conversationId: 'c_7' });
    expect(t.store.getState().offline).toEqual([]);
    // The fake detail that follows the accept renames the visitor; the e-mail and reason came from the list.
    expect(t.store.getState().chats.c_7).toMatchObject({ visitor: { email: 'jo@x.io' }, reason: 'out_of_scope' });
    expect(t.store.getState().activeChatId).toBe('c_7');
  });

  it('accepts: opens a chat with the entry’s profile and transcript, joins it, loads pages', async () => {
    const t = await withChat();
    const state = t.store.getState();
    expect(t.client().request).toHaveBeenCalledWith({ type: 'conversation.accept', conversationId: 'c_1' });
    expect(t.client().join).toHaveBeenCalledWith('c_1');
    expect(state.route).toBe('chats');
    expect(state.activeChatId).toBe('c_1');
    expect(state.chats.c_1).toMatchObject({ visitor: { name: 'Ada' }, reason: 'negative_feedback', transcript: QUEUE_ENTRY.transcript });
    await vi.waitFor(() => expect(t.store.getState().chats.c_1!.pages).toHaveLength(1));
  });

  it('says so when another agent took the conversation', async () => {
    const t = await signedIn();
    t.client().request.mockRejectedValueOnce(new ParleyError('AUTH_FORBIDDEN', 'another agent took this conversation'));
    await t.store.getState().accept('c_1');
    expect(t.store.getState().notice).toBe('Another agent already took this conversation.');
    expect(t.store.getState().chatOrder).toEqual([]);
  });

  it('counts unread visitor messages in background chats, notifies, and marks read when viewed', async () => {
    const t = await withChat();
    t.store.getState().navigate('queue');
    t.client().emit('message', visitorMessage(2, 'hello?'));
    t.client().emit('message', visitorMessage(2, 'hello?'));
    expect(t.store.getState().chats.c_1!.unread).toBe(1);
    expect(t.store.getState().chats.c_1!.messages).toHaveLength(1);
    expect(t.notifier.notify).toHaveBeenCalledWith('Ada wrote', 'hello?', 'msg-c_1');
    t.store.getState().openChat('c_1');
    expect(t.store.getState().chats.c_1!.unread).toBe(0);
    expect(t.client().read).toHaveBeenLastCalledWith('c_1', 2);
    t.client().emit('message', visitorMessage(3, 'still there?'));
    expect(t.store.getState().chats.c_1!.unread).toBe(0);
    expect(t.client().read).toHaveBeenLastCalledWith('c_1', 3);
  });

  it('treats a hidden page as not seen', async () => {
    const t = await withChat();
    t.setVisible(false);
    t.client().emit('message', visitorMessage(2, 'hi'));
    expect(t.store.getState().chats.c_1!.unread).toBe(1);
  });

  it('tracks visitor typing, read receipts, ratings and closing', async () => {
    const t = await withChat();
    t.client().emit('typing', { type: 'typing.update', conversationId: 'c_1', author: { role: 'visitor', id: 'v_1' }, isTyping: true });
    expect(t.store.getState().chats.c_1!.isVisitorTyping).toBe(true);
    t.client().emit('read', { type: 'read.update', conversationId: 'c_1', role: 'visitor', upToSeq: 4 });
    t.client().emit('read', { type: 'read.update', conversationId: 'c_1', role: 'visitor', upToSeq: 2 });
    expect(t.store.getState().chats.c_1!.visitorReadSeq).toBe(4);
    t.client().emit('rating', { type: 'rating.created', conversationId: 'c_1', score: 5, comment: 'great' });
    expect(t.store.getState().chats.c_1!.rating).toEqual({ score: 5, comment: 'great' });
    await t.store.getState().closeChat('c_1', 'resolved');
    expect(t.client().request).toHaveBeenCalledWith({ type: 'conversation.close', conversationId: 'c_1', reason: 'resolved' });
    expect(t.store.getState().chats.c_1!.status).toBe('closed');
    t.store.getState().dismissChat('c_1');
    expect(t.store.getState().chatOrder).toEqual([]);
  });

  it('sends typing on, then off after 4 s idle or on send, and sends trimmed text', async () => {
    const t = await withChat();
    vi.useFakeTimers();
    const { setDraft, sendMessage } = t.store.getState();
    setDraft('c_1', 'H');
    setDraft('c_1', 'Hi');
    expect(t.client().typing.mock.calls).toEqual([['c_1', true]]);
    vi.advanceTimersByTime(3999);
    expect(t.client().typing).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(t.client().typing).toHaveBeenLastCalledWith('c_1', false);
    setDraft('c_1', 'Hi there ');
    sendMessage('c_1', 'Hi there ');
    expect(t.client().typing.mock.calls.at(-1)).toEqual(['c_1', false]);
    expect(t.client().send).toHaveBeenCalledWith('c_1', 'Hi there');
    expect(t.store.getState().chats.c_1!.draft).toBe('');
    sendMessage('c_1', '   ');
    expect(t.client().send).toHaveBeenCalledTimes(1);
  });

  it('changes availability and capacity over the socket, ignoring bad capacities', async () => {
    const t = await signedIn();
    await t.store.getState().setAvailability('away');
    await t.store.getState().setCapacity(5);
    await t.store.getState().setCapacity(0);
    expect(t.client().request).toHaveBeenLastCalledWith({ type: 'agent.availability', availability: 'away', capacity: 5 });
    expect(t.store.getState().capacity).toBe(5);
  });
});

describe('createConsoleStore: history, CSAT, canned', () => {
  it('searches history and opens one conversation', async () => {
    const t = await signedIn();
    await t.store.getState().searchHistory({ q: 'ada', status: 'closed' });
    expect(t.api.listConversations).toHaveBeenLastCalledWith('pat_session', { q: 'ada', limit: 50, status: 'closed' });
    await t.store.getState().openHistory('c_5');
    expect(t.store.getState().history.selected?.conversation.id).toBe('c_5');
    await t.store.getState().openHistory(undefined);
    expect(t.store.getState().history.selected).toBeUndefined();
  });

  it('loads CSAT, and reports failures', async () => {
    const t = await signedIn();
    await t.store.getState().loadCsat();
    expect(t.store.getState().csat.stats?.average).toBe(4);
    const failing = await signedIn({ api: fakeApi({ csat: vi.fn(async () => Promise.reject(new ParleyError('STORAGE_UNAVAILABLE', 'the database is unavailable'))) }) });
    await failing.store.getState().loadCsat();
    expect(failing.store.getState().csat).toEqual({ isLoading: false, error: 'the database is unavailable' });
  });

  it('persists canned responses to localStorage', async () => {
    const t = makeStore();
    t.store.getState().setCanned([{ shortcut: 'hi', text: 'Hello!' }]);
    expect(JSON.parse(t.local.map.get('parley-console:canned')!)).toEqual([{ shortcut: 'hi', text: 'Hello!' }]);
  });
});
