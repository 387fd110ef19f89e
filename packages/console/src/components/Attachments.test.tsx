// @vitest-environment jsdom
// Attachments in the console, through the real store: files in the message list (thumbnails, download links, no
// javascript: links, names as text) and the composer's attach control (upload with the session token, then send).
import { afterEach, describe, expect, it } from 'vitest';
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

const EVIL = '<img src=x onerror=alert(1)>.pdf';

async function chatApp() {
  const t = makeStore();
  await t.store.getState().login('alice@shop.io', 'pw');
  t.client().emit('queue', { type: 'queue.snapshot', entries: [QUEUE_ENTRY] });
  t.client().emit('frame', { type: 'conversation.assigned', conversationId: 'c_1', agent: { id: 'a_1', name: 'Alice' } });
  t.client().emit('message', {
    ...visitorMessage(1, ''),
    attachments: [
      { name: 'parcel.jpg', mime: 'image/jpeg', size: 2048, url: 'http://chat.test/uploads/AAAAAAAAAAAAAAAAAAAAAAAA' },
      { name: EVIL, mime: 'application/pdf', size: 3 * 1024 * 1024 + 200_000, url: 'http://chat.test/uploads/BBBBBBBBBBBBBBBBBBBBBBBB' },
      { name: 'bad.png', mime: 'image/png', size: 10, url: 'javascript:alert(1)' },
    ],
  });
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

describe('attachments in the console', () => {
  it('shows images as thumbnails and files as download links, names as text, never a javascript: link', async () => {
    const { el } = await chatApp();
    const thumb = el.querySelector<HTMLImageElement>('img.attachment-thumb')!;
    expect(thumb.getAttribute('src')).toBe('http://chat.test/uploads/AAAAAAAAAAAAAAAAAAAAAAAA');
    expect(thumb.alt).toBe('parcel.jpg');
    const links = [...el.querySelectorAll<HTMLAnchorElement>('a.attachment-file')];
    expect(links.map((a) => a.textContent)).toEqual(['parcel.jpg', EVIL]);
    for (const a of links) {
      expect(a.rel).toBe('noopener noreferrer');
      expect(a.hasAttribute('download')).toBe(true);
    }
    expect(el.querySelector('img[src=x]')).toBeNull();
    expect([...el.querySelectorAll('a')].some((a) => a.getAttribute('href')?.startsWith('javascript:'))).toBe(false);
    expect(el.querySelector('.attachments')!.textContent).toContain('bad.png');
  });

  it('uploads a picked file with the session token and sends it to the visitor', async () => {
    const { t, el } = await chatApp();
    const label = [...el.querySelectorAll('label')].find((l) => l.textContent === 'Attach a file')!;
    const input = el.querySelector<HTMLInputElement>(`#${label.htmlFor}`)!;
    expect(input.type).toBe('file');
    const file = new File(['%PDF-1.4'], 'label.pdf', { type: 'application/pdf' });
    Object.defineProperty(input, 'files', { configurable: true, value: [file] });
    await act(async () => {
      input.dispatchEvent(new Event('change', { bubbles: true }));
      await Promise.resolve();
    });
    await expect.poll(() => t.client().send.mock.calls.length).toBe(1);
    expect(t.api.uploadFile).toHaveBeenCalledWith('pat_session', file);
    expect(t.client().send).toHaveBeenCalledWith('c_1', '', { attachments: [expect.objectContaining({ name: 'label.pdf', url: expect.stringMatching(/^http:/) })] });
  });

  it('offers no attach control for an internal note', async () => {
    const { el } = await chatApp();
    const note = [...el.querySelectorAll('label')].find((l) => l.textContent === 'Internal note (only agents see it)')!;
    await act(() => el.querySelector<HTMLInputElement>(`#${note.htmlFor}`)!.click());
    expect([...el.querySelectorAll('label')].some((l) => l.textContent === 'Attach a file')).toBe(false);
  });
});
