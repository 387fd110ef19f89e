// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { StoreContext } from '../hooks/use-store.js';
import { fakeApi, makeStore, QUEUE_ENTRY, visitorMessage } from '../test-support/fakes.js';
import { App } from './App.js';

let root: HTMLElement;
afterEach(() => {
  render(null, root);
  root.remove();
});

async function mount(t: ReturnType<typeof makeStore>) {
  root = document.createElement('div');
  document.body.append(root);
  await act(() => {
    render(
      <StoreContext.Provider value={t.store}>
        <App />
      </StoreContext.Provider>,
      root,
    );
  });
  return root;
}

async function signedInApp(options: Parameters<typeof makeStore>[0] = {}) {
  const t = makeStore(options);
  await t.store.getState().login('alice@shop.io', 'pw');
  const el = await mount(t);
  return { t, el };
}

const byLabel = (el: HTMLElement, text: string) => {
  const label = [...el.querySelectorAll('label')].find((l) => l.textContent === text);
  if (label === undefined) throw new Error(`no label "${text}"`);
  return el.querySelector<HTMLInputElement & HTMLTextAreaElement & HTMLSelectElement>(`#${label.htmlFor}`)!;
};
const button = (el: HTMLElement, text: string) => {
  const found = [...el.querySelectorAll('button')].find((b) => b.textContent?.trim() === text);
  if (found === undefined) throw new Error(`no button "${text}"; have ${[...el.querySelectorAll('button')].map((b) => b.textContent).join(' | ')}`);
  return found;
};

describe('LoginScreen', () => {
  it('has labelled fields, submits, and announces errors', async () => {
    const t = makeStore({ api: fakeApi({ login: vi.fn(async () => Promise.reject(Object.assign(new Error('x')))) }) });
    const el = await mount(t);
    expect(el.querySelector('main h1')?.textContent).toBe('Parley Console');
    const email = byLabel(el, 'E-mail');
    const password = byLabel(el, 'Password');
    expect(email.type).toBe('email');
    expect(password.autocomplete).toBe('current-password');
    await act(() => {
      email.value = 'a@x.io';
      email.dispatchEvent(new Event('input', { bubbles: true }));
      password.value = 'pw';
      password.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await act(async () => {
      el.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    });
    await vi.waitFor(() => expect(el.querySelector('[role="alert"]')?.textContent).toBe('Something went wrong. Try again.'));
    expect(t.api.login).toHaveBeenCalledWith('a@x.io', 'pw');
  });
});

describe('App (signed in)', () => {
  it('has banner, main navigation and main landmarks, with the current page marked', async () => {
    const { el } = await signedInApp();
    expect(el.querySelector('header')).not.toBeNull();
    expect(el.querySelector('nav[aria-label="Main"] a[aria-current="page"]')?.textContent).toBe('Queue (0)');
    expect(el.querySelector('main h1')?.textContent).toBe('Queue (0 waiting)');
    expect(byLabel(el, 'Availability').value).toBe('online');
  });

  it('shows a queue entry: waiting time, reason, identity, pages, transcript with confidence, and accepts it', async () => {
    const { t, el } = await signedInApp();
    await act(() => t.client().emit('queue', { type: 'queue.snapshot', entries: [QUEUE_ENTRY] }));
    const card = el.querySelector('.queue-card')!;
    expect(card.querySelector('h2')?.textContent).toBe('1. Ada');
    expect(card.textContent).toContain('Waiting 1 min');
    expect(card.textContent).toContain('Said the FAQ answer did not help');
    expect(card.textContent).toContain('ada@x.io');
    expect(card.textContent).toContain('unverified');
    expect(card.textContent).toContain('en-GB');
    expect(card.textContent).toContain('https://shop.example/cart');
    expect(card.textContent).toContain('FAQ answered (41% confident)');
    expect(card.textContent).toContain('Visitor clicked “didn’t help”');
    await act(async () => button(el, 'Accept').click());
    expect(t.client().request).toHaveBeenCalledWith({ type: 'conversation.accept', conversationId: 'c_1' });
    expect(el.querySelector('main h1')?.textContent).toBe('My chats (1)');
  });

  it('renders a chat: safe links only, typing, read receipts, canned expansion, send, close with a reason', async () => {
    const { t, el } = await signedInApp();
    await act(() => t.client().emit('queue', { type: 'queue.snapshot', entries: [QUEUE_ENTRY] }));
    await act(async () => t.store.getState().accept('c_1'));
    await act(() => {
      t.client().emit('message', visitorMessage(1, 'see https://shop.example/x and javascript:alert(1) <b>bold</b>'));
      t.client().emit('message', { ...visitorMessage(2, 'Our reply'), author: { role: 'agent', id: 'a_1', name: 'Alice' }, isMine: true });
      t.client().emit('typing', { type: 'typing.update', conversationId: 'c_1', author: { role: 'visitor', id: 'v_1' }, isTyping: true });
      t.client().emit('read', { type: 'read.update', conversationId: 'c_1', role: 'visitor', upToSeq: 2 });
    });
    const log = el.querySelector('[role="log"]')!;
    const links = [...log.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://shop.example/x']);
    expect(links[0]!.rel).toBe('noopener noreferrer');
    expect(log.querySelector('b')).toBeNull();
    expect(log.textContent).toContain('<b>bold</b>');
    expect(el.querySelector('.typing')?.textContent).toBe('Ada is typing…');
    expect(el.querySelector('.receipt')?.textContent).toBe('Seen');

    const reply = byLabel(el, 'Reply to Ada');
    await act(() => {
      reply.value = '/shipping';
      reply.dispatchEvent(new Event('input', { bubbles: true }));
    });
    expect(el.querySelector('.canned-hints button')?.textContent).toBe('/shipping');
    await act(() => void reply.dispatchEvent(new KeyboardEvent('keydown', { key: ' ', bubbles: true, cancelable: true })));
    expect(t.store.getState().chats.c_1!.draft).toMatch(/^Orders ship within/);
    await act(() => void reply.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true })));
    expect(t.client().send).toHaveBeenCalledWith('c_1', expect.stringMatching(/^Orders ship within/));

    await act(() => button(el, 'Close conversation…').click());
    const spam = byLabel(el, 'Spam');
    await act(() => {
      spam.checked = true;
      spam.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await act(async () => button(el, 'Close conversation').click());
    expect(t.client().request).toHaveBeenLastCalledWith({ type: 'conversation.close', conversationId: 'c_1', reason: 'spam' });
    await vi.waitFor(() => expect(el.textContent).toContain('This conversation is closed.'));
  });

  it('shows unread counts in the chat list and nav while on another screen', async () => {
    const { t, el } = await signedInApp();
    await act(() => t.client().emit('queue', { type: 'queue.snapshot', entries: [QUEUE_ENTRY] }));
    await act(async () => t.store.getState().accept('c_1'));
    await act(() => t.store.getState().navigate('queue'));
    await act(() => t.client().emit('message', visitorMessage(1, 'hello?')));
    expect(el.querySelector('nav[aria-label="Main"]')?.textContent).toContain('Chats (1, 1 unread)');
  });

  it('offers FAQ suggestions for the visitor’s last message and copies one into the reply', async () => {
    const { t, el } = await signedInApp();
    await act(() => {
      t.store.setState({ suggest: (text) => (text.includes('parcel') ? [{ entryId: 'tracking', question: 'Where is my order?', answer: 'Use the tracking link.', score: 0.62 }] : []) });
      t.client().emit('queue', { type: 'queue.snapshot', entries: [QUEUE_ENTRY] });
    });
    await act(async () => t.store.getState().accept('c_1'));
    await act(() => t.client().emit('message', visitorMessage(1, 'my parcel is late')));
    expect(el.querySelector('.suggestions h3')?.textContent).toBe('Suggested from the FAQ');
    expect(el.querySelector('.suggestions')?.textContent).toContain('62% match');
    await act(() => el.querySelector<HTMLButtonElement>('.suggestions button')!.click());
    expect(t.store.getState().chats.c_1!.draft).toBe('Use the tracking link.');
  });

  it('searches history and shows one conversation', async () => {
    const listConversations = vi.fn(async () => [{ id: 'c_7', status: 'closed' as const, createdAt: Date.now(), lastSeq: 4, profile: { name: 'Grace', email: 'g@y.io' }, rating: 5, lastMessage: { text: 'thanks!', at: 1, role: 'visitor' as const } }]);
    const { t, el } = await signedInApp({ api: fakeApi({ listConversations }) });
    await act(async () => t.store.getState().navigate('history'));
    await vi.waitFor(() => expect(el.querySelector('.history-list')?.textContent).toContain('Grace <g@y.io>'));
    const q = byLabel(el, 'Search visitor name, e-mail or message text');
    await act(() => {
      q.value = 'grace';
      q.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await act(async () => void el.querySelector('form[role="search"]')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true })));
    expect(listConversations).toHaveBeenLastCalledWith('pat_session', { q: 'grace', limit: 50 });
    await act(async () => el.querySelector<HTMLButtonElement>('.history-list button')!.click());
    await vi.waitFor(() => expect(el.querySelector('#history-detail-title')?.textContent).toBe('Conversation with Ada'));
  });

  it('shows CSAT with an SVG chart described in text and a per-agent table', async () => {
    const { t, el } = await signedInApp();
    await act(async () => t.store.getState().navigate('csat'));
    await vi.waitFor(() => expect(el.querySelector('.csat-overall')?.textContent).toBe('Average 4 out of 5 from 1 rating in the last 2 days.'));
    const svg = el.querySelector('svg[role="img"]')!;
    expect(svg.getAttribute('aria-label')).toContain('1 day with ratings');
    expect(svg.querySelectorAll('rect.bar')).toHaveLength(1);
    expect([...el.querySelectorAll('tbody th')].map((th) => th.textContent)).toEqual(['Alice']);
  });

  it('edits canned responses', async () => {
    const { t, el } = await signedInApp();
    await act(async () => t.store.getState().navigate('settings'));
    const shortcut = byLabel(el, 'Shortcut');
    const text = byLabel(el, 'Text');
    await act(() => {
      shortcut.value = '/returns';
      shortcut.dispatchEvent(new Event('input', { bubbles: true }));
      text.value = 'Returns are free.';
      text.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await act(() => button(el, 'Add').click());
    expect(t.store.getState().canned.at(-1)).toEqual({ shortcut: 'returns', text: 'Returns are free.' });
    await act(() => button(el, 'Remove /returns').click());
    expect(t.store.getState().canned.some((c) => c.shortcut === 'returns')).toBe(false);
  });
});
