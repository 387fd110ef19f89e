import '../../test-support/dom.js';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '@parley/protocol';
import { buildIndex, decide, parseFaqMarkdown } from '@parley/faq';
import { createFakeClient, flush } from '../../test-support/fake-client.js';
import { testChunks, untilChunk } from '../../test-support/chunks.js';
import { renderPanel, unmountPanel } from '../../test-support/render-panel.js';
import { createWidgetStore } from '../store/widget-store.js';

let container: HTMLElement;

async function mountLive() {
  const chunks = testChunks();
  const { forms } = chunks;
  const fake = createFakeClient();
  const store = createWidgetStore({
    client: async () => fake.client,
    loadFaq: async () => null,
    emit: () => {},
    setActive: () => {},
    greeting: '',
    preChat: [],
    locale: 'en',
    isHidden: () => false,
  });
  container = renderPanel(store, chunks);
  act(() => store.getState().open());
  await act(async () => {
    await store.getState().escalate('requested');
    await flush();
  });
  // Agents speak once they have the chat.
  act(() => fake.frame({ type: 'conversation.assigned', conversationId: 'c1', agent: { id: 'a', name: 'Sam' } }));
  const say = (m: Partial<Message> & { clientId: string; seq: number }, isMine = false) =>
    act(() => fake.emit('message', { conversationId: 'c1', kind: 'text', text: 't', at: 1, isMine, author: { role: 'agent', id: 'a', name: 'Sam' }, ...m }));
  return { store, fake, say };
}

const group = () => container.querySelector<HTMLElement>('[role=group][aria-label="Suggested replies"]');
const chips = () => [...(group()?.querySelectorAll('button') ?? [])].map((b) => b.textContent);

afterEach(() => {
  unmountPanel(container);
});

describe('QuickReplies', () => {
  it('shows the latest agent message\'s quick replies as a labelled group of buttons; choosing one sends it and retires them', async () => {
    const { fake, say } = await mountLive();
    say({ clientId: 'a1', seq: 1, text: 'Which size?', quickReplies: ['Small', 'Large <b>'] });
    expect(chips()).toEqual(['Small', 'Large <b>']);
    // Plain text: markup in a reply is shown, never parsed.
    expect(group()!.querySelector('b')).toBeNull();
    const large = [...group()!.querySelectorAll('button')][1]!;
    expect(large.type).toBe('button');
    act(() => large.click());
    await act(async () => {
      await flush();
    });
    expect(fake.mock.send).toHaveBeenCalledWith('c1', 'Large <b>', expect.objectContaining({ clientId: expect.any(String) }));
    expect(group()).toBeNull();
    // The button went away with the choice: focus is on the message box, not lost to <body>.
    expect(document.activeElement?.id).toBe('pc-input');
    const mine = [...container.querySelectorAll('.pc-mine')].map((e) => e.textContent);
    expect(mine.some((t) => t?.includes('Large <b>'))).toBe(true);
  });

  it('drops the offer when anything newer arrives, and when the chat is closed', async () => {
    const { say, fake } = await mountLive();
    say({ clientId: 'a1', seq: 1, quickReplies: ['Yes', 'No'] });
    expect(chips()).toEqual(['Yes', 'No']);
    say({ clientId: 'a2', seq: 2, text: 'Also: free returns' });
    expect(group()).toBeNull();
    say({ clientId: 'a3', seq: 3, quickReplies: ['Thanks'] });
    expect(chips()).toEqual(['Thanks']);
    act(() => fake.frame({ type: 'conversation.closed', conversationId: 'c1', by: 'agent' }));
    expect(group()).toBeNull();
  });

  it('never offers buttons on the shopper\'s own messages', async () => {
    const { say } = await mountLive();
    say({ clientId: 'v1', seq: 1, quickReplies: ['Buy now'], author: { role: 'visitor', id: 'v1' } }, true);
    expect(group()).toBeNull();
  });

  it('offers a FAQ answer\'s replies; choosing one asks it as the next question, answered in the page', async () => {
    const doc = parseFaqMarkdown(
      '## Where is my order?\nalso:\n- track my parcel\nUse the tracking link in your confirmation e-mail.\nreplies: How do I return an item? | Talk to a person\n\n## How do I return an item?\nalso:\n- send something back\nReturns are free within 30 days.\n',
    );
    const index = buildIndex(doc.entries);
    const fake = createFakeClient();
    const store = createWidgetStore({
      client: async () => fake.client,
      loadFaq: async () => ({ decide: (q, h) => decide(index, q, h) }),
      emit: () => {},
      setActive: () => {},
      greeting: '',
      preChat: [],
      locale: 'en',
      isHidden: () => false,
    });
    container = renderPanel(store, testChunks());
    act(() => store.getState().open());
    await act(async () => {
      await store.getState().ask('where is my order?');
      await flush();
    });
    expect(chips()).toEqual(['How do I return an item?', 'Talk to a person']);
    act(() => [...group()!.querySelectorAll('button')][0]!.click());
    await act(async () => {
      await flush();
    });
    // Asked as a question (in the log as the shopper's), answered from the FAQ; nothing went to a server.
    expect(container.querySelector('[role=log]')!.textContent).toContain('Returns are free within 30 days.');
    expect(group()).toBeNull();
    expect(fake.mock.send).not.toHaveBeenCalled();
  });

  it('retires a FAQ answer\'s replies at the hand-off (pre-chat form, queue, chat with the agent)', async () => {
    const doc = parseFaqMarkdown('## Where is my order?\nalso:\n- track my parcel\nUse the tracking link.\nreplies: How do I return an item? | Still late\n');
    const index = buildIndex(doc.entries);
    const fake = createFakeClient();
    const chunks = testChunks();
    const store = createWidgetStore({
      client: async () => fake.client,
      loadFaq: async () => ({ decide: (q, h) => decide(index, q, h) }),
      emit: () => {},
      setActive: () => {},
      greeting: '',
      preChat: ['email'],
      locale: 'en',
      isHidden: () => false,
    });
    container = renderPanel(store, chunks);
    act(() => store.getState().open());
    await act(async () => {
      await store.getState().ask('where is my order?');
      await flush();
    });
    expect(chips()).toEqual(['How do I return an item?', 'Still late']);
    // The hand-off asks for an e-mail first: the bot's offer is not what is on screen any more.
    await act(async () => {
      await store.getState().escalate('requested');
      await flush();
    });
    expect(store.getState().ui.view).toBe('prechat');
    expect(group()).toBeNull();
    await act(async () => {
      await store.getState().submitPreChat({ email: 'ada@example.com' });
      await flush();
    });
    expect(store.getState().conversation.status).toBe('queued');
    // The escalation adds no item, so the answer is still the latest: its buttons must not come back.
    expect(store.getState().conversation.items.at(-1)!.kind).toBe('answer');
    expect(group()).toBeNull();
    act(() => fake.frame({ type: 'conversation.assigned', conversationId: 'c1', agent: { id: 'a', name: 'Sam' } }));
    expect(group()).toBeNull();
  });

  it('retires an agent\'s quick replies when the chat is no longer theirs (back in the queue)', async () => {
    const { fake, say } = await mountLive();
    say({ clientId: 'q1', seq: 1, quickReplies: ['Yes', 'No'] });
    expect(chips()).toEqual(['Yes', 'No']);
    act(() => fake.frame({ type: 'agent.left', conversationId: 'c1', agent: { id: 'a', name: 'Sam' } }));
    expect(group()).toBeNull();
  });
});
