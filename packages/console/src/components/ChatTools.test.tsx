// @vitest-environment jsdom
// The chat's tools in the DOM, through the real store: note toggle and note rendering, transfer, close detail.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { StoreContext } from '../hooks/use-store.js';
import { makeStore, QUEUE_ENTRY, visitorMessage } from '../test-support/fakes.js';
import { App } from './App.js';

let root: HTMLElement;
afterEach(() => {
  render(null, root);
  root.remove();
});

async function chatApp() {
  const t = makeStore();
  await t.store.getState().login('alice@shop.io', 'pw');
  t.client().emit('queue', { type: 'queue.snapshot', entries: [QUEUE_ENTRY] });
  t.client().emit('frame', { type: 'conversation.assigned', conversationId: 'c_1', agent: { id: 'a_1', name: 'Alice' } });
  t.client().emit('message', visitorMessage(1, 'where is my parcel?'));
  t.store.getState().navigate('chats');
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
  return { t, el: root };
}

const byLabel = (el: HTMLElement, text: string) => {
  const label = [...el.querySelectorAll('label')].find((l) => l.textContent === text);
  if (label === undefined) throw new Error(`no label "${text}"; have ${[...el.querySelectorAll('label')].map((l) => l.textContent).join(' | ')}`);
  return el.querySelector<HTMLInputElement & HTMLTextAreaElement & HTMLSelectElement>(`#${label.htmlFor}`)!;
};
const button = (el: HTMLElement, text: string) => {
  const found = [...el.querySelectorAll('button')].find((b) => b.textContent?.trim() === text);
  if (found === undefined) throw new Error(`no button "${text}"; have ${[...el.querySelectorAll('button')].map((b) => b.textContent).join(' | ')}`);
  return found;
};
const type = async (input: HTMLInputElement | HTMLTextAreaElement, value: string) => {
  await act(() => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
};

describe('chat tools', () => {
  it('adds quick replies to the next message: Enter adds (not sends), bounded count, removable, cleared after sending', async () => {
    const { t, el } = await chatApp();
    const box = byLabel(el, 'New quick reply');
    expect(box.maxLength).toBe(40);
    for (const r of ['Small', 'Medium', 'Large']) {
      await type(box, r);
      await act(() => {
        box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
      });
    }
    expect(t.client().send).not.toHaveBeenCalled();
    await act(() => el.querySelector<HTMLButtonElement>('[aria-label="Remove quick reply Medium"]')!.click());
    for (const r of ['XL', 'XXL', '3XL']) {
      await type(box, r);
      await act(() => button(el, 'Add quick reply').click());
    }
    // Five is the protocol's bound: the sixth cannot be added.
    expect(box.disabled).toBe(true);
    expect([...el.querySelectorAll('[aria-label="Quick replies to send"] li')].map((li) => li.firstChild?.textContent)).toEqual(['Small', 'Large', 'XL', 'XXL', '3XL']);
    await type(byLabel(el, 'Reply to Ada'), 'Which size?');
    await act(async () => button(el, 'Send').click());
    expect(t.client().send).toHaveBeenCalledWith('c_1', 'Which size?', { quickReplies: ['Small', 'Large', 'XL', 'XXL', '3XL'] });
    expect(el.querySelector('[aria-label="Quick replies to send"]')).toBeNull();
    expect(byLabel(el, 'New quick reply').disabled).toBe(false);
  });

  it('keeps quick replies with their chat: replies added in one chat do not go out with another chat\'s message', async () => {
    const { t, el } = await chatApp();
    t.client().emit('queue', { type: 'queue.snapshot', entries: [{ ...QUEUE_ENTRY, conversationId: 'c_2' }] });
    t.client().emit('frame', { type: 'conversation.assigned', conversationId: 'c_2', agent: { id: 'a_1', name: 'Alice' } });
    for (const r of ['Small', 'Large']) {
      await type(byLabel(el, 'New quick reply'), r);
      await act(() => button(el, 'Add quick reply').click());
    }
    await type(byLabel(el, 'New quick reply'), 'half-typed');
    await act(() => t.store.getState().openChat('c_2'));
    expect(el.querySelector('[aria-label="Quick replies to send"]')).toBeNull();
    expect(byLabel(el, 'New quick reply').value).toBe('');
    await type(el.querySelector<HTMLTextAreaElement>('#composer-c_2')!, 'Hello Bo');
    await act(async () => button(el, 'Send').click());
    expect(t.client().send).toHaveBeenCalledWith('c_2', 'Hello Bo');
    // Back in the first chat its replies are still waiting for its next message.
    await act(() => t.store.getState().openChat('c_1'));
    await type(el.querySelector<HTMLTextAreaElement>('#composer-c_1')!, 'Which size?');
    await act(async () => button(el, 'Send').click());
    expect(t.client().send).toHaveBeenLastCalledWith('c_1', 'Which size?', { quickReplies: ['Small', 'Large'] });
  });

  it('writes an internal note: no typing sent, shown apart with its badge, composer back to replies after unticking', async () => {
    const { t, el } = await chatApp();
    await act(() => byLabel(el, 'Internal note (only agents see it)').click());
    const box = byLabel(el, 'Note about Ada');
    await type(box, 'VIP, refund ok');
    expect(t.client().typing).not.toHaveBeenCalled();
    await act(async () => button(el, 'Add note').click());
    await vi.waitFor(() => expect(el.querySelector('.msg-note')?.textContent).toContain('VIP, refund ok'));
    expect(el.querySelector('.msg-note .note-badge')?.textContent).toBe('Internal note');
    expect(t.client().send).not.toHaveBeenCalled();
    // The note comes after the visitor's message it answers.
    expect([...el.querySelectorAll('.messages > li')].map((li) => li.className)).toEqual(['msg msg-visitor', 'msg msg-note']);
    await act(() => byLabel(el, 'Internal note (only agents see it)').click());
    await type(byLabel(el, 'Reply to Ada'), 'On its way');
    expect(t.client().typing).toHaveBeenCalledWith('c_1', true);
    await act(async () => button(el, 'Send').click());
    expect(t.client().send).toHaveBeenCalledWith('c_1', 'On its way');
  });

  it('transfers to an online colleague with room; away colleagues cannot be picked', async () => {
    const { t, el } = await chatApp();
    await act(async () => button(el, 'Transfer…').click());
    await vi.waitFor(() => expect(byLabel(el, 'Transfer to').options.length).toBe(3));
    const options = [...byLabel(el, 'Transfer to').options];
    expect(options.map((o) => [o.textContent, o.disabled])).toEqual([
      ['Back to the queue', false],
      ['Bob — online, 0 of 3 chats', false],
      ['Cem — away, 0 of 3 chats', true],
    ]);
    const select = byLabel(el, 'Transfer to');
    await act(() => {
      select.value = 'a_2';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await act(async () => button(el, 'Transfer').click());
    expect(t.client().request).toHaveBeenCalledWith({ type: 'conversation.transfer', conversationId: 'c_1', toAgentId: 'a_2' });
    await vi.waitFor(() => expect(el.textContent).toContain('No open chats'));
  });

  it('requires a detail for "Other" when closing, and sends it with the reason', async () => {
    const { t, el } = await chatApp();
    await act(() => button(el, 'Close conversation…').click());
    await act(() => byLabel(el, 'Other').click());
    expect(button(el, 'Close conversation').disabled).toBe(true);
    await type(byLabel(el, 'What happened? (required)'), 'duplicate of another chat');
    await act(async () => button(el, 'Close conversation').click());
    expect(t.client().request).toHaveBeenLastCalledWith({ type: 'conversation.close', conversationId: 'c_1', reason: 'other: duplicate of another chat' });
  });
});
