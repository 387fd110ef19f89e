import '../../test-support/dom.js';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { RatingScale } from '@parley/protocol';
import { createFakeClient, flush } from '../../test-support/fake-client.js';
import { testChunks, untilChunk } from '../../test-support/chunks.js';
import { renderPanel, unmountPanel } from '../../test-support/render-panel.js';
import { createWidgetStore } from '../store/widget-store.js';
import type { WidgetEvents } from '../embed-api.js';

let container: HTMLElement;

async function closedChat(ratingScale?: RatingScale, siteRatingScale?: () => Promise<RatingScale | undefined>) {
  const fake = createFakeClient();
  const chunks = testChunks();
  const { forms } = chunks;
  const rated: Array<WidgetEvents['rated']> = [];
  const store = createWidgetStore({
    client: async () => fake.client,
    loadFaq: async () => null,
    emit: (event, payload) => {
      if (event === 'rated') rated.push(payload as WidgetEvents['rated']);
    },
    setActive: () => {},
    greeting: '',
    preChat: [],
    locale: 'en',
    isHidden: () => false,
    ...(ratingScale ? { ratingScale } : {}),
    ...(siteRatingScale ? { siteRatingScale } : {}),
  });
  container = renderPanel(store, chunks);
  act(() => store.getState().open());
  await act(async () => {
    await store.getState().escalate('requested');
    await flush();
  });
  act(() => fake.frame({ type: 'conversation.closed', conversationId: 'c1', by: 'agent' }));
  await untilChunk(forms);
  return { fake, store, rated };
}

const radios = () => [...container.querySelectorAll<HTMLInputElement>('fieldset input[type=radio]')];
const labelOf = (input: HTMLInputElement) => input.closest('label')!.querySelector('.pc-sr')!.textContent;
const submit = () => [...container.querySelectorAll('button')].find((b) => b.textContent === 'Send rating')!;

afterEach(() => {
  unmountPanel(container);
});

describe('RatingForm', () => {
  it('asks CSAT with five stars by default', async () => {
    await closedChat();
    expect(container.querySelector('legend')!.textContent).toBe('How did we do?');
    expect(radios().map((r) => r.value)).toEqual(['1', '2', '3', '4', '5']);
    expect(labelOf(radios()[4]!)).toBe('5 out of 5');
    expect(container.querySelector('fieldset')!.hasAttribute('aria-describedby')).toBe(false);
  });

  it('asks NPS 0–10 as one named radio group with its anchors described, and 0 is a real answer', async () => {
    const { fake, rated } = await closedChat('nps');
    const fieldset = container.querySelector('fieldset')!;
    expect(fieldset.querySelector('legend')!.textContent).toBe('How likely are you to recommend us to a friend?');
    expect(container.querySelector(`#${fieldset.getAttribute('aria-describedby')}`)!.textContent).toBe('0 = not at all likely, 10 = extremely likely');
    expect(radios().map((r) => r.value)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    expect(new Set(radios().map((r) => r.name)).size).toBe(1);
    expect(labelOf(radios()[0]!)).toBe('0 out of 10');
    expect(submit().disabled).toBe(true);
    act(() => radios()[0]!.click());
    expect(submit().disabled).toBe(false);
    act(() => submit().click());
    await act(async () => {
      await flush();
    });
    expect(fake.mock.request).toHaveBeenLastCalledWith({ type: 'rating.submit', conversationId: 'c1', score: 0, scale: 'nps' });
    // The fake's reply carries no scale (like a server older than scales): the widget's own scale is reported.
    expect(rated).toEqual([{ conversationId: 'c1', score: 0, scale: 'nps' }]);
  });

  it('on a scale the server refuses, re-reads the site\'s scale and asks again on it with nothing picked', async () => {
    let asked = 0;
    // The widget showed csat (its config fetch failed); the site rates on nps.
    const { fake, rated, store } = await closedChat(undefined, async () => (asked++, 'nps'));
    act(() => radios()[4]!.click());
    fake.mock.request.mockRejectedValueOnce(Object.assign(new Error('this site rates on nps, not csat'), { code: 'RATING_OUT_OF_SCALE' }));
    act(() => submit().click());
    await act(async () => {
      await flush();
    });
    expect(fake.mock.request).toHaveBeenLastCalledWith({ type: 'rating.submit', conversationId: 'c1', score: 5, scale: 'csat' });
    expect(asked).toBe(1);
    expect(rated).toEqual([]);
    expect(container.querySelector('legend')!.textContent).toBe('How likely are you to recommend us to a friend?');
    expect(radios().map((r) => r.value)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    // The 5 picked on five stars is not carried over as a 5 out of 10.
    expect(radios().some((r) => r.checked)).toBe(false);
    expect(submit().disabled).toBe(true);
    expect(container.querySelector('.pc-notice')!.textContent).toBe('This site asks a different rating question. Please rate again.');
    expect(store.getState().conversation.rating).toBe('idle');
    act(() => radios()[9]!.click());
    act(() => submit().click());
    await act(async () => {
      await flush();
    });
    expect(fake.mock.request).toHaveBeenLastCalledWith({ type: 'rating.submit', conversationId: 'c1', score: 9, scale: 'nps' });
    expect(rated).toEqual([{ conversationId: 'c1', score: 9, scale: 'nps' }]);
  });

  it('asks CES 1–7 with its own question', async () => {
    await closedChat('ces');
    expect(container.querySelector('legend')!.textContent).toBe('How easy was it to get the help you needed?');
    expect(radios().map((r) => r.value)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(labelOf(radios()[6]!)).toBe('7 out of 7');
  });
});

describe('TranscriptEmailForm', () => {
  const transcriptButton = () => [...container.querySelectorAll('button')].find((b) => b.textContent === 'Send transcript');
  const emailBox = () => container.querySelector<HTMLInputElement>('#pc-transcript-email')!;
  const type = (value: string) =>
    act(() => {
      emailBox().value = value;
      emailBox().dispatchEvent(new Event('input', { bubbles: true }));
    });

  it('is not offered unless the site says the server can e-mail', async () => {
    await closedChat();
    expect(transcriptButton()).toBeUndefined();
  });

  it('checks the address, sends transcript.email, and confirms; a refusal from the server is announced', async () => {
    const { fake, store } = await closedChat();
    act(() => store.getState().configure({ canEmailTranscript: true }));
    expect(container.querySelector('label[for=pc-transcript-email]')!.textContent).toBe('Email me the transcript');
    type('not-an-address');
    act(() => transcriptButton()!.click());
    expect(emailBox().getAttribute('aria-invalid')).toBe('true');
    expect(container.querySelector(`#${emailBox().getAttribute('aria-describedby')}`)!.textContent).toBe('Enter a valid email address.');
    expect(fake.mock.request).not.toHaveBeenCalledWith(expect.objectContaining({ type: 'transcript.email' }));

    // The server has the last word: its refusal shows in the banner and the form stays.
    fake.mock.request.mockRejectedValueOnce(Object.assign(new Error('limit'), { code: 'RATE_LIMITED' }));
    type(' ada@example.com ');
    act(() => transcriptButton()!.click());
    await act(async () => {
      await flush();
    });
    expect(container.querySelector('[role=alert]')!.textContent).toBe('Too many transcript e-mails. Please try again later.');
    expect(transcriptButton()).toBeDefined();

    act(() => transcriptButton()!.click());
    await act(async () => {
      await flush();
    });
    expect(fake.mock.request).toHaveBeenLastCalledWith({ type: 'transcript.email', conversationId: 'c1', email: 'ada@example.com' });
    expect(container.querySelector('[role=status]')!.textContent).toBe('Transcript sent to ada@example.com.');
    expect(transcriptButton()).toBeUndefined();
  });

  it('keeps the address across sending the rating: typed, and in the "sent to" line', async () => {
    const { fake, store } = await closedChat();
    act(() => store.getState().configure({ canEmailTranscript: true }));
    type('ada@example.com');
    act(() => transcriptButton()!.click());
    await act(async () => {
      await flush();
    });
    expect(container.querySelector('.pc-done[role=status]')!.textContent).toBe('Transcript sent to ada@example.com.');
    act(() => radios()[3]!.click());
    act(() => submit().click());
    await act(async () => {
      await flush();
    });
    expect(fake.mock.request).toHaveBeenLastCalledWith({ type: 'rating.submit', conversationId: 'c1', score: 4, scale: 'csat' });
    expect(container.textContent).toContain('Thanks for your rating!');
    expect(container.textContent).toContain('Transcript sent to ada@example.com.');
  });

  it('keeps an address typed but not yet sent when the rating goes', async () => {
    const { store } = await closedChat();
    act(() => store.getState().configure({ canEmailTranscript: true }));
    type('bo@example.com');
    act(() => radios()[4]!.click());
    act(() => submit().click());
    await act(async () => {
      await flush();
    });
    expect(container.textContent).toContain('Thanks for your rating!');
    expect(emailBox().value).toBe('bo@example.com');
  });
});
