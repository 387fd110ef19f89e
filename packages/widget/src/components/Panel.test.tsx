import '../../test-support/dom.js';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClient, flush } from '../../test-support/fake-client.js';
import { storefrontFaq } from '../../test-support/storefront.js';
import { testChunks, untilChunk } from '../../test-support/chunks.js';
import { renderPanel, unmountPanel } from '../../test-support/render-panel.js';
import { createWidgetStore } from '../store/widget-store.js';

const faq = storefrontFaq();
let container: HTMLElement;

function mount(preChat: Array<'name' | 'email'> = [], chunks = testChunks()) {
  const { forms } = chunks;
  const fake = createFakeClient();
  const store = createWidgetStore({
    client: async () => fake.client,
    loadFaq: async () => faq,
    emit: () => {},
    setActive: () => {},
    greeting: 'Hi! Ask us anything.',
    preChat,
    locale: 'en',
    isHidden: () => false,
  });
  container = renderPanel(store, chunks);
  act(() => store.getState().open());
  return { store, fake, forms, s: () => store.getState() };
}

const q = <E extends Element = HTMLElement>(sel: string): E => container.querySelector<E>(sel)!;
const buttons = (): HTMLButtonElement[] => [...container.querySelectorAll('button')];
const button = (label: string): HTMLButtonElement => buttons().find((b) => b.textContent === label)!;
const settle = async (): Promise<void> => {
  await act(async () => {
    await flush();
  });
};

async function askViaComposer(text: string) {
  const input = q<HTMLTextAreaElement>('#pc-input');
  act(() => {
    input.value = text;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  act(() => {
    q('form.pc-composer').dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
  });
  await settle();
}

afterEach(() => {
  unmountPanel(container);
});

describe('Panel', () => {
  it('is a labelled dialog with the greeting in a polite live log and a labelled input', () => {
    mount();
    const dialog = q('[role=dialog]');
    expect(q(`#${dialog.getAttribute('aria-labelledby')}`).textContent).toBe('Chat with us');
    const log = q('[role=log]');
    expect(log.getAttribute('aria-live')).toBe('polite');
    expect(log.textContent).toContain('Hi! Ask us anything.');
    expect(q('label[for=pc-input]').textContent).toBe('Your message');
    expect(button('Talk to a person')).toBeTruthy();
    expect(container.querySelector('[style]')).toBeNull();
    expect(container.querySelector('style')).toBeNull();
  });

  it('moves focus into the panel and closes on Escape', () => {
    const { s } = mount();
    expect(document.activeElement?.id === 'pc-input' || document.activeElement?.closest('.pc-panel')).toBeTruthy();
    act(() => {
      q('[role=dialog]').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    });
    expect(s().ui.isOpen).toBe(false);
    expect(q('[role=dialog]')).toBeNull();
  });

  it('answers a question with feedback buttons and related questions', async () => {
    mount();
    await askViaComposer('how long does delivery take?');
    const answer = q('.pc-answer');
    expect(answer.getAttribute('data-entry')).toBe('delivery-time');
    expect(answer.textContent).toContain('Did this help?');
    expect(q<HTMLAnchorElement>('.pc-more').rel).toBe('noopener noreferrer');
    act(() => button('Yes').click());
    expect(answer.textContent).toContain('Thanks for the feedback!');
  });

  it('offers related questions as quick replies', async () => {
    mount();
    await askViaComposer('how do I return shipping costs');
    const group = q('.pc-suggestions[role=group]');
    expect(group.getAttribute('aria-label')).toBe('Related questions');
    const chip = group.querySelector<HTMLButtonElement>('button')!;
    const question = chip.textContent!;
    act(() => chip.click());
    expect([...container.querySelectorAll('.pc-mine')].at(-1)!.textContent).toContain(question);
    expect(container.querySelectorAll('.pc-answer')).toHaveLength(2);
  });

  it('escalates to the queue and shows position and wait', async () => {
    const { fake } = mount();
    act(() => button('Talk to a person').click());
    await settle();
    act(() => fake.frame({ type: 'queue.update', conversationId: 'c1', position: 2, etaSeconds: 180 }));
    expect(q('[role=status]').textContent).toBe('You are number 2 in line. Estimated wait: 3 minutes.');
    expect(container.textContent).not.toContain('Talk to a person');
    act(() => fake.frame({ type: 'agent.joined', conversationId: 'c1', agent: { id: 'a', name: 'Ana' } }));
    expect(q('#pc-title').textContent).toBe('Ana');
    expect(q('[role=log]').textContent).toContain('Ana joined the conversation');
  });

  it('shows per-message state with retry', async () => {
    const { fake } = mount();
    act(() => button('Talk to a person').click());
    await settle();
    await askViaComposer('is anyone there?');
    const bubble = (): HTMLElement => [...container.querySelectorAll<HTMLElement>('.pc-mine')].at(-1)!;
    expect(bubble().textContent).toContain('Sending…');
    fake.fail(bubble().closest('.pc-msg') ? (fake.mock.send.mock.calls[0]![2] as { clientId: string }).clientId : '');
    await settle();
    expect(bubble().getAttribute('data-state')).toBe('failed');
    act(() => button('Retry').click());
    await settle();
    const id = (fake.mock.send.mock.calls[1]![2] as { clientId: string }).clientId;
    fake.ack(id, 1);
    await settle();
    expect(bubble().textContent).toContain('Delivered');
  });

  it('validates the pre-chat form with labelled errors', async () => {
    const { fake, forms } = mount(['name', 'email']);
    act(() => button('Talk to a person').click());
    await settle();
    await untilChunk(forms);
    // The form arrived after its view was shown: focus went into it.
    expect(container.ownerDocument.activeElement).toBe(q('#pc-pre-name'));
    const email = q<HTMLInputElement>('#pc-pre-email');
    act(() => {
      email.value = 'nope';
      email.dispatchEvent(new Event('input', { bubbles: true }));
    });
    act(() => button('Start chat').click());
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect(q(`#${email.getAttribute('aria-describedby')}`).textContent).toBe('Enter a valid email address.');
    expect(fake.mock.startConversation).not.toHaveBeenCalled();
  });

  it('asks for a rating after the agent closes', async () => {
    const { fake, forms } = mount();
    act(() => button('Talk to a person').click());
    await settle();
    act(() => fake.frame({ type: 'conversation.closed', conversationId: 'c1', by: 'agent' }));
    await untilChunk(forms);
    expect(q('legend').textContent).toBe('How did we do?');
    const four = [...container.querySelectorAll<HTMLInputElement>('input[name=pc-score]')][3]!;
    expect(four.closest('label')!.textContent).toContain('4 out of 5');
    act(() => four.click());
    act(() => button('Send rating').click());
    await settle();
    expect(fake.mock.request).toHaveBeenLastCalledWith({ type: 'rating.submit', conversationId: 'c1', score: 4, scale: 'csat' });
    expect(container.textContent).toContain('Thanks for your rating!');
  });

  it('a forms chunk that fails to load: an alert with Retry and a WIDGET_LOAD_FAILED event; Retry shows the form', async () => {
    const errors: unknown[] = [];
    let isDown = true;
    const flaky = testChunks({
      forms: () => (isDown ? Promise.reject(new Error('https://cdn.test/forms.js')) : import('../forms.js')),
      emit: (event, payload) => event === 'error' && errors.push(payload),
    });
    const { fake, store } = mount([], flaky);
    act(() => button('Talk to a person').click());
    await settle();
    act(() => fake.frame({ type: 'conversation.closed', conversationId: 'c1', by: 'agent' }));
    await settle();
    expect(q('[role=alert]').textContent).toContain('Something went wrong');
    expect(errors).toEqual([{ code: 'WIDGET_LOAD_FAILED', message: 'Error: https://cdn.test/forms.js' }]);
    expect(container.querySelector('legend')).toBeNull();
    // The way out does not depend on forms.js: a closed chat is never a dead end.
    expect(button('Start a new conversation')).toBeDefined();
    expect(store.getState().conversation.status).toBe('closed');

    isDown = false;
    act(() => button('Retry').click());
    await untilChunk(flaky.forms);
    expect(q('legend').textContent).toBe('How did we do?');
    expect(container.querySelector('[role=alert]')).toBeNull();
    // Its styles came with it, beside the panel's.
    expect((flaky.root.adoptedStyleSheets.at(-1) as unknown as { cssText: string }).cssText).toContain('.pc-star');
  });

  it('renders hostile agent text as inert text', async () => {
    const { fake } = mount();
    act(() => button('Talk to a person').click());
    await settle();
    const text = '<img src=x onerror=alert(1)> javascript:alert(1) <a href="javascript:alert(1)">x</a> https://ok.test';
    act(() =>
      fake.emit('message', { conversationId: 'c1', seq: 1, clientId: 'h', kind: 'text', text, at: 1, isMine: false, author: { role: 'agent', id: 'a' } }),
    );
    const log = q('[role=log]');
    expect(log.querySelector('img')).toBeNull();
    expect(log.textContent).toContain(text);
    const links = [...log.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://ok.test/']);
    expect(links[0]!.target).toBe('_blank');
    expect(links[0]!.rel).toBe('noopener noreferrer');
  });

  it('a closed chat whose forms chunk failed still offers a new chat, from app.js', async () => {
    const flaky = testChunks({ forms: () => Promise.reject(new Error('https://cdn.test/forms.js')) });
    const { fake, store } = mount([], flaky);
    act(() => button('Talk to a person').click());
    await settle();
    act(() => fake.frame({ type: 'conversation.closed', conversationId: 'c1', by: 'agent' }));
    await settle();
    expect(q('[role=alert]').textContent).toContain('Something went wrong');
    act(() => button('Start a new conversation').click());
    await settle();
    expect(store.getState().conversation).toMatchObject({ status: 'bot', id: undefined });
    expect(container.querySelector('#pc-input')).not.toBeNull();
  });
});
