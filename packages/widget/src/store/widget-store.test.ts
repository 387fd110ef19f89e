import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFakeClient, flush, info } from '../../test-support/fake-client.js';
import { storefrontFaq } from '../../test-support/storefront.js';
import type { PreChatField } from '../embed-api.js';
import type { FaqDecider } from './types.js';
import { createWidgetStore } from './widget-store.js';

const faq = storefrontFaq();

function setup(opts: { preChat?: PreChatField[]; faq?: FaqDecider | null; escalateStatus?: 'queued' | 'offline' } = {}) {
  const fake = createFakeClient({ escalateStatus: opts.escalateStatus });
  const events: Array<[string, unknown]> = [];
  const active: Array<string | null> = [];
  let n = 0;
  const store = createWidgetStore({
    client: async () => fake.client,
    loadFaq: async () => (opts.faq === undefined ? faq : opts.faq),
    emit: (event, payload) => void events.push([event, payload]),
    setActive: (id) => void active.push(id),
    greeting: 'Hello!',
    preChat: opts.preChat ?? [],
    locale: 'en',
    uuid: () => `id-${++n}`,
    now: () => 1000,
    isHidden: () => false,
  });
  return { store, fake, events, active, s: () => store.getState() };
}

/** Escalates and brings the conversation to `queued`. */
async function toQueued(t: ReturnType<typeof setup>) {
  await t.s().escalate('requested');
  await flush();
  expect(t.s().conversation.status).toBe('queued');
}

describe('createWidgetStore: self-service', () => {
  it('starts with the greeting and no connection', () => {
    const { s, fake } = setup();
    expect(s().conversation.items).toEqual([{ kind: 'greeting', id: 'greeting', text: 'Hello!' }]);
    expect(fake.mock.on).not.toHaveBeenCalled();
  });

  it('answers from the FAQ with suggestions, and never touches the transport', async () => {
    const { s, fake } = setup();
    await s().ask('how long does delivery take?');
    const answer = s().conversation.items.find((i) => i.kind === 'answer');
    expect(answer).toMatchObject({ kind: 'answer', entryId: 'delivery-time' });
    expect(answer?.kind === 'answer' && answer.confidence).toBeGreaterThan(0.5);
    expect(fake.mock.startConversation).not.toHaveBeenCalled();
    expect(s().faq.transcript.map((i) => i.kind)).toEqual(['question', 'answer']);
  });

  it('records feedback and shows a suggestion as an answer', async () => {
    const { s } = setup();
    await s().ask('how long does delivery take?');
    const answer = s().conversation.items.find((i) => i.kind === 'answer')!;
    s().feedback(answer.id, true);
    expect(s().conversation.items.find((i) => i.id === answer.id)).toMatchObject({ helpful: true });
    expect(s().faq.transcript.at(-1)).toMatchObject({ kind: 'feedback', helpful: true, entryId: 'delivery-time' });
    s().pickSuggestion({ id: 'returns-policy', question: 'What is your returns policy?', answer: 'Within 30 days.' });
    expect(s().conversation.items.at(-1)).toMatchObject({ kind: 'answer', entryId: 'returns-policy', text: 'Within 30 days.' });
  });

  it('escalates by itself after negative feedback, sending the self-service transcript', async () => {
    const { s, fake, events, active } = setup();
    await s().ask('how long does delivery take?');
    const answer = s().conversation.items.find((i) => i.kind === 'answer')!;
    s().feedback(answer.id, false);
    await s().ask('it still has not arrived');
    await flush();
    expect(fake.mock.startConversation).toHaveBeenCalledWith({ clientId: expect.any(String), profile: { locale: 'en' } });
    const escalate = fake.mock.request.mock.calls.find(([f]) => f.type === 'conversation.escalate')![0] as Record<string, unknown>;
    expect(escalate).toMatchObject({ type: 'conversation.escalate', conversationId: 'c1', reason: 'negative_feedback' });
    expect(escalate.transcript).toEqual([
      { kind: 'question', text: 'how long does delivery take?', at: 1000 },
      expect.objectContaining({ kind: 'answer', entryId: 'delivery-time', confidence: expect.any(Number) }),
      expect.objectContaining({ kind: 'feedback', helpful: false, entryId: 'delivery-time' }),
      { kind: 'question', text: 'it still has not arrived', at: 1000 },
      { kind: 'escalation', text: 'negative_feedback', at: 1000 },
    ]);
    expect(s().conversation.status).toBe('queued');
    expect(events).toContainEqual(['escalated', { conversationId: 'c1', reason: 'negative_feedback', status: 'queued' }]);
    expect(active).toEqual(['c1']);
  });

  it('escalates with asked_for_human when the shopper asks for a person', async () => {
    const { s, fake } = setup();
    await s().ask('I want to talk to a human');
    await flush();
    expect(fake.mock.request.mock.calls[0]![0]).toMatchObject({ reason: 'asked_for_human' });
  });

  it('hands every question to a person when the site has no FAQ', async () => {
    const { s, fake } = setup({ faq: null });
    await s().ask('hello?');
    await flush();
    expect(fake.mock.request.mock.calls[0]![0]).toMatchObject({ type: 'conversation.escalate', reason: 'out_of_scope' });
  });
});

describe('createWidgetStore: hand-off', () => {
  it('shows the pre-chat form first and sends its profile', async () => {
    const { s, fake } = setup({ preChat: ['name', 'email'] });
    await s().escalate();
    expect(s().ui.view).toBe('prechat');
    expect(fake.mock.startConversation).not.toHaveBeenCalled();
    await s().submitPreChat({ name: 'Ana', email: 'ana@example.com' });
    await flush();
    expect(fake.mock.startConversation).toHaveBeenCalledWith({
      clientId: expect.any(String),
      profile: { locale: 'en', name: 'Ana', email: 'ana@example.com' },
    });
    expect(s().ui.view).toBe('chat');
    expect(s().conversation.status).toBe('queued');
  });

  it('returns to self-service with a banner when the escalation fails', async () => {
    const t = setup();
    t.fake.mock.startConversation.mockRejectedValueOnce(Object.assign(new Error('down'), { code: 'TRANSPORT_TIMEOUT' }));
    await t.s().escalate();
    expect(t.s().conversation.status).toBe('bot');
    expect(t.s().ui.notice).toBe('escalate.failed');
    expect(t.events).toContainEqual(['error', { code: 'TRANSPORT_TIMEOUT', message: 'down' }]);
  });

  it('tracks queue position, then the agent joining', async () => {
    const t = setup();
    await toQueued(t);
    t.fake.frame({ type: 'queue.update', conversationId: 'c1', position: 2, etaSeconds: 120 });
    expect(t.s().conversation.queue).toEqual({ position: 2, etaSeconds: 120 });
    const agent = { id: 'a1', name: 'Ana', avatarUrl: 'https://x.test/a.png' };
    t.fake.frame({ type: 'agent.joined', conversationId: 'c1', agent });
    t.fake.frame({ type: 'conversation.assigned', conversationId: 'c1', agent });
    expect(t.s().conversation).toMatchObject({ status: 'assigned', agent, queue: undefined });
    expect(t.s().conversation.items.filter((i) => i.kind === 'event' && i.key === 'agent.joined')).toHaveLength(1);
    expect(t.events.filter(([e]) => e === 'assigned')).toHaveLength(1);
  });

  it('goes back to the queue when the agent leaves, then shows whoever joins next (the same agent again too)', async () => {
    const t = setup();
    await toQueued(t);
    const ana = { id: 'a1', name: 'Ana', avatarUrl: 'https://x.test/a.png' };
    t.fake.frame({ type: 'agent.joined', conversationId: 'c1', agent: ana });
    t.fake.frame({ type: 'typing.update', conversationId: 'c1', isTyping: true, author: { role: 'agent', id: 'a1', name: 'Ana' } });
    // Ana's connection is gone past the grace period: the server requeues and says so.
    // Ana's connection is gone past the grace period: the server requeues, stores the event, then says so.
    const stored = (seq: number, event: string, author: { role: 'agent' | 'system'; id: string; name?: string }) =>
      t.fake.emit('message', { conversationId: 'c1', seq, clientId: `evt_${seq}`, kind: 'event', event, text: 'English', at: seq, isMine: false, author });
    stored(1, 'joined', { role: 'agent', id: 'a1', name: 'Ana' });
    stored(2, 'left', { role: 'system', id: 'system' });
    t.fake.frame({ type: 'agent.left', conversationId: 'c1', agent: ana });
    expect(t.s().conversation).toMatchObject({ status: 'queued', agent: undefined, queue: undefined, agentTyping: undefined });
    t.fake.frame({ type: 'queue.update', conversationId: 'c1', position: 1, etaSeconds: 30 });
    expect(t.s().conversation.queue).toEqual({ position: 1, etaSeconds: 30 });
    t.fake.frame({ type: 'agent.joined', conversationId: 'c1', agent: ana });
    stored(3, 'joined', { role: 'agent', id: 'a1', name: 'Ana' });
    expect(t.s().conversation).toMatchObject({ status: 'assigned', agent: ana, queue: undefined });
    // Ana hands over to Bo (the server's order: left, Bo joined, then the stored transfer): Bo's name and avatar.
    const bo = { id: 'a2', name: 'Bo', avatarUrl: 'https://x.test/b.png' };
    t.fake.frame({ type: 'agent.left', conversationId: 'c1', agent: ana });
    t.fake.frame({ type: 'agent.joined', conversationId: 'c1', agent: bo });
    stored(4, 'transferred', { role: 'agent', id: 'a1', name: 'Ana' });
    expect(t.s().conversation).toMatchObject({ status: 'assigned', agent: bo });
    const lines = t.s().conversation.items.flatMap((i) => (i.kind === 'event' ? [`${i.key} ${i.vars?.name}`] : []));
    expect(lines).toEqual(['agent.joined Ana', 'agent.gone ', 'agent.joined Ana', 'agent.joined Bo', 'agent.left Ana']);
    expect(t.events.filter(([e]) => e === 'assigned').map(([, p]) => (p as { agent: { name: string } }).agent.name)).toEqual(['Ana', 'Ana', 'Bo']);
    // A stale agent.left for someone else changes nothing.
    t.fake.frame({ type: 'agent.left', conversationId: 'c1', agent: ana });
    expect(t.s().conversation).toMatchObject({ status: 'assigned', agent: bo });
  });

  it('offers "leave a message" when nobody is online', async () => {
    const t = setup({ escalateStatus: 'offline' });
    await t.s().escalate();
    await flush();
    expect(t.s().conversation.status).toBe('offline');
    expect(t.s().ui.view).toBe('offline');
    const done = t.s().leaveMessage('ana@example.com', 'Where is my order?');
    await flush();
    const [, text] = t.fake.mock.send.mock.calls[0]!;
    expect(text).toBe('Where is my order?\n\n— ana@example.com');
    t.fake.ack(t.fake.mock.send.mock.results[0]!.value.clientId, 1);
    await done;
    expect(t.s().conversation.offline).toBe('sent');
  });

  it('gives the chat back when an agent takes the left message, with one localised "joined" line', async () => {
    const t = setup({ escalateStatus: 'offline' });
    await t.s().escalate();
    await flush();
    expect(t.s().ui.view).toBe('offline');
    const agent = { id: 'a1', name: 'Ana' };
    t.fake.frame({ type: 'agent.joined', conversationId: 'c1', agent });
    // The server's own record of the join (an event message with its code) adds no second line, nor an unread.
    t.fake.emit('message', {
      conversationId: 'c1', seq: 2, clientId: 'evt_1', kind: 'event', event: 'joined', text: 'Ana joined the conversation', at: 5, isMine: false,
      author: { role: 'agent', id: 'a1', name: 'Ana' },
    });
    expect(t.s().ui.view).toBe('chat');
    expect(t.s().conversation.items.filter((i) => i.kind === 'event')).toEqual([
      expect.objectContaining({ key: 'agent.joined', vars: { name: 'Ana' } }),
    ]);
    expect(t.s().ui.unread).toBe(0);
    // An event without a code we know (an older server, a newer code) is shown as the server wrote it.
    for (const [seq, event] of [[3, undefined], [4, 'escalated_to_mars']] as const) {
      t.fake.emit('message', {
        conversationId: 'c1', seq, clientId: `evt_${seq}`, kind: 'event', ...(event ? { event } : {}), text: `Ana did thing ${seq}`, at: 6, isMine: false,
        author: { role: 'agent', id: 'a1', name: 'Ana' },
      });
      expect(t.s().conversation.items.at(-1)).toMatchObject({ kind: 'event', text: `Ana did thing ${seq}` });
    }
  });

  it('words server events by their code, never in the server English, and shows the close once', async () => {
    const t = setup();
    await toQueued(t);
    const ev = (seq: number, event: string, text: string, author: { role: 'agent' | 'system'; id: string; name?: string }) =>
      t.fake.emit('message', { conversationId: 'c1', seq, clientId: `evt_${seq}`, kind: 'event', event, text, at: seq, isMine: false, author });
    const ana = { role: 'agent' as const, id: 'a1', name: 'Ana' };
    // After a reload, history alone: each event becomes our own line.
    ev(1, 'joined', 'Ana joined the conversation', ana);
    ev(2, 'left', 'Ana left; waiting for another agent', { role: 'system', id: 'system' });
    ev(3, 'joined', 'Ana joined the conversation', ana);
    ev(4, 'transferred', 'Ana transferred the conversation to Bo', ana);
    // Live, the close frame comes too: one line, not the server's "Conversation closed by the agent" as well.
    t.fake.frame({ type: 'conversation.closed', conversationId: 'c1', by: 'agent' });
    ev(5, 'closed', 'Conversation closed by the agent', { role: 'system', id: 'system' });
    const lines = t.s().conversation.items.flatMap((i) => (i.kind === 'event' ? [i.key ?? `text: ${i.text}`] : []));
    expect(lines).toEqual(['agent.joined', 'agent.gone', 'agent.joined', 'agent.left', 'closed.notice']);
    expect(t.s().conversation.items.some((i) => i.kind === 'event' && i.text !== undefined)).toBe(false);
  });

  it('ignores frames for other conversations', async () => {
    const t = setup();
    await toQueued(t);
    t.fake.frame({ type: 'queue.update', conversationId: 'other', position: 9, etaSeconds: 1 });
    expect(t.s().conversation.queue).toBeUndefined();
  });
});

describe('createWidgetStore: live chat', () => {
  it('moves a message through sending → delivered → read', async () => {
    const t = setup();
    await toQueued(t);
    await t.s().ask('hi there');
    await flush();
    const msg = t.s().conversation.items.at(-1)!;
    expect(msg).toMatchObject({ kind: 'message', role: 'visitor', text: 'hi there', state: 'sending' });
    expect(t.fake.mock.send).toHaveBeenCalledWith('c1', 'hi there', { clientId: msg.id });
    t.fake.ack(msg.id, 3);
    await flush();
    expect(t.s().conversation.items.at(-1)).toMatchObject({ state: 'delivered', seq: 3 });
    t.fake.frame({ type: 'read.update', conversationId: 'c1', role: 'agent', upToSeq: 3 });
    expect(t.s().conversation.items.at(-1)).toMatchObject({ state: 'read' });
  });

  it('marks a rejected message failed, and retry sends it again', async () => {
    const t = setup();
    await toQueued(t);
    await t.s().send('lost one');
    await flush();
    const id = t.s().conversation.items.at(-1)!.id;
    t.fake.fail(id);
    await flush();
    expect(t.s().conversation.items.at(-1)).toMatchObject({ id, state: 'failed' });
    await t.s().retry(id);
    await flush();
    expect(t.s().conversation.items.filter((i) => i.kind === 'message')).toHaveLength(1);
    expect(t.s().conversation.items.at(-1)).toMatchObject({ text: 'lost one', state: 'sending' });
    expect(t.fake.mock.send).toHaveBeenCalledTimes(2);
  });

  it('counts unread agent messages while closed and reads them on open', async () => {
    const t = setup();
    await toQueued(t);
    t.fake.emit('message', {
      conversationId: 'c1', seq: 4, clientId: 'm4', kind: 'text', text: 'Hi, Ana here', at: 5, isMine: false,
      author: { role: 'agent', id: 'a1', name: 'Ana' },
    });
    expect(t.s().ui.unread).toBe(1);
    expect(t.events).toContainEqual(['unread', { count: 1 }]);
    expect(t.events.find(([e]) => e === 'message')).toBeTruthy();
    t.s().open();
    expect(t.fake.mock.read).toHaveBeenCalledWith('c1', 4);
    expect(t.s().ui.unread).toBe(0);
  });

  it('does not count history the shopper already read as unread after a reload', async () => {
    const t = setup();
    const marks = new Map([['c1', 2]]);
    const store = createWidgetStore({
      client: async () => t.fake.client,
      loadFaq: async () => null,
      emit: () => {},
      setActive: () => {},
      readMark: { load: (id) => marks.get(id) ?? 0, save: (id, seq) => void marks.set(id, seq) },
      greeting: '',
      preChat: [],
      locale: 'en',
      isHidden: () => false,
    });
    store.getState().resume('c1');
    await flush();
    const msg = (seq: number) => ({ conversationId: 'c1', seq, clientId: `m${seq}`, kind: 'text' as const, text: 'x', at: 1, isMine: false, author: { role: 'agent' as const, id: 'a' } });
    t.fake.emit('message', msg(1));
    t.fake.emit('message', msg(2));
    expect(store.getState().ui.unread).toBe(0);
    t.fake.emit('message', msg(3));
    expect(store.getState().ui.unread).toBe(1);
    store.getState().open();
    expect(marks.get('c1')).toBe(3);
  });

  it('adopts its own message echoed from another tab once', async () => {
    const t = setup();
    await toQueued(t);
    const m = { conversationId: 'c1', seq: 5, clientId: 'other-tab', kind: 'text' as const, text: 'from tab 2', at: 5, author: { role: 'visitor' as const, id: 'v1' } };
    t.fake.emit('message', { ...m, isMine: true });
    t.fake.emit('message', { ...m, isMine: true });
    expect(t.s().conversation.items.filter((i) => i.id === 'other-tab')).toHaveLength(1);
    expect(t.s().ui.unread).toBe(0);
  });

  describe('typing', () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it('sends typing once per burst and false after 3 s idle', async () => {
      const t = setup();
      await toQueued(t);
      t.s().typing();
      t.s().typing();
      vi.advanceTimersByTime(2000);
      t.s().typing();
      expect(t.fake.mock.typing.mock.calls).toEqual([['c1', true]]);
      vi.advanceTimersByTime(3000);
      expect(t.fake.mock.typing.mock.calls).toEqual([['c1', true], ['c1', false]]);
    });

    it('shows the agent typing and clears it after 8 s without news', async () => {
      const t = setup();
      await toQueued(t);
      t.fake.frame({ type: 'typing.update', conversationId: 'c1', author: { role: 'agent', id: 'a1', name: 'Ana' }, isTyping: true });
      expect(t.s().conversation.agentTyping).toBe('Ana');
      vi.advanceTimersByTime(8000);
      expect(t.s().conversation.agentTyping).toBeUndefined();
    });
  });

  it('asks for a rating when the agent closes, and submits it', async () => {
    const t = setup();
    await toQueued(t);
    t.fake.frame({ type: 'conversation.closed', conversationId: 'c1', by: 'agent' });
    expect(t.s().conversation.status).toBe('closed');
    expect(t.s().ui.view).toBe('rating');
    expect(t.active.at(-1)).toBeNull();
    await t.s().rate(5, '  great  ');
    expect(t.fake.mock.request).toHaveBeenLastCalledWith({ type: 'rating.submit', conversationId: 'c1', score: 5, scale: 'csat', comment: 'great' });
    expect(t.events).toContainEqual(['rated', { conversationId: 'c1', score: 5, scale: 'csat', comment: 'great' }]);
    expect(t.events).toContainEqual(['closed', { conversationId: 'c1', by: 'agent' }]);
    t.s().restart();
    expect(t.s().conversation).toMatchObject({ status: 'bot', id: undefined, rating: 'idle' });
  });

  it('credits a slow rating or transcript reply to the closed chat it was for, not to the next conversation', async () => {
    const t = setup();
    await toQueued(t);
    t.fake.frame({ type: 'conversation.closed', conversationId: 'c1', by: 'agent' });
    const replies: Array<(v: unknown) => void> = [];
    const slow = () => new Promise<unknown>((r) => replies.push(r));
    t.fake.mock.request.mockImplementationOnce(slow).mockImplementationOnce(slow);
    const rating = t.s().rate(4);
    const transcript = t.s().emailTranscript('ada@example.com');
    await flush();
    expect(t.fake.mock.request).toHaveBeenCalledWith(expect.objectContaining({ type: 'transcript.email', conversationId: 'c1' }));
    expect(replies).toHaveLength(2);
    // The shopper starts again before the server answers; the next chat closes in turn.
    t.s().restart();
    t.fake.mock.startConversation.mockResolvedValueOnce(info({ id: 'c2' }));
    await toQueued(t);
    t.fake.frame({ type: 'conversation.closed', conversationId: 'c2', by: 'agent' });
    expect(t.s().conversation).toMatchObject({ id: 'c2', status: 'closed', rating: 'idle', transcriptEmail: 'idle' });
    replies[0]!({ type: 'rating.created', ref: 'r', conversationId: 'c1', score: 4, scale: 'csat' });
    replies[1]!({ type: 'ok', ref: 'r' });
    await Promise.all([rating, transcript]);
    // c2 can still be rated and its transcript asked for; the event names the chat that was rated.
    expect(t.s().conversation).toMatchObject({ id: 'c2', rating: 'idle', transcriptEmail: 'idle' });
    expect(t.events).toContainEqual(['rated', { conversationId: 'c1', score: 4, scale: 'csat' }]);
  });

  it('resumes a remembered conversation and loads its history', async () => {
    const t = setup();
    t.fake.mock.join.mockResolvedValueOnce(info({ status: 'assigned', lastSeq: 2, agent: { id: 'a1', name: 'Ana' } }));
    t.fake.mock.request.mockImplementation(async (f: { type: string }) =>
      f.type === 'history.get'
        ? {
            type: 'history.page', ref: 'r', conversationId: 'c1', hasMore: false,
            messages: [
              { conversationId: 'c1', seq: 1, clientId: 'q', kind: 'text', text: 'hello', at: 1, author: { role: 'visitor', id: 'v1' } },
              { conversationId: 'c1', seq: 2, clientId: 'r', kind: 'text', text: 'hi!', at: 2, author: { role: 'agent', id: 'a1', name: 'Ana' } },
            ],
          }
        : { type: 'ok', ref: 'r' },
    );
    t.s().resume('c1');
    await flush();
    await flush();
    expect(t.fake.mock.join).toHaveBeenCalledWith('c1');
    expect(t.fake.mock.request).toHaveBeenCalledWith({ type: 'history.get', conversationId: 'c1', beforeSeq: 3, limit: 50 });
    expect(t.s().conversation.status).toBe('assigned');
    expect(t.s().conversation.items.filter((i) => i.kind === 'message').map((i) => i.kind === 'message' && i.text)).toEqual(['hello', 'hi!']);
  });

  it('sends visitor.page on navigation only while a person is involved', async () => {
    const t = setup();
    t.s().trackPage('https://shop.test/a');
    expect(t.fake.mock.request).not.toHaveBeenCalled();
    await toQueued(t);
    t.s().trackPage('https://shop.test/b', 'B');
    expect(t.fake.mock.request).toHaveBeenLastCalledWith({ type: 'visitor.page', conversationId: 'c1', url: 'https://shop.test/b', title: 'B' });
  });

  it('disconnect closes the client', async () => {
    const t = setup();
    await toQueued(t);
    t.s().disconnect();
    expect(t.fake.mock.close).toHaveBeenCalled();
  });
});
