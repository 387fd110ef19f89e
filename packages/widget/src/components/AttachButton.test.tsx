import '../../test-support/dom.js';
import type { Attachment } from '@parley/protocol';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClient, flush } from '../../test-support/fake-client.js';
import { testChunks, untilChunk } from '../../test-support/chunks.js';
import { renderPanel, unmountPanel } from '../../test-support/render-panel.js';
import { createWidgetStore } from '../store/widget-store.js';

let container: HTMLElement;
const EVIL = '<img src=x onerror="window.__xss=1">.png';

function mount(chunks = testChunks()) {
  const fake = createFakeClient();
  const uploads: Array<{ file: File; settle: (a: Attachment | Error) => void }> = [];
  const store = createWidgetStore({
    client: async () => fake.client,
    loadFaq: async () => null,
    emit: () => {},
    setActive: () => {},
    greeting: '',
    preChat: [],
    locale: 'en',
    isHidden: () => false,
    upload: (file) =>
      new Promise<Attachment>((resolve, reject) => uploads.push({ file, settle: (a) => (a instanceof Error ? reject(a) : resolve(a)) })),
  });
  container = renderPanel(store, chunks);
  act(() => store.getState().open());
  return { store, fake, uploads, chunks };
}

const settle = async (): Promise<void> => {
  await act(async () => {
    await flush();
  });
};
const attachButton = () => container.querySelector<HTMLButtonElement>('button.pc-attach');
const fileInput = () => container.querySelector<HTMLInputElement>('#pc-file')!;
/** Picks files, then waits for the attach chunk (checks and upload) the pick fetches. */
async function pick(files: File[], chunks: { attach: Parameters<typeof untilChunk>[0] }) {
  const input = fileInput();
  Object.defineProperty(input, 'files', { configurable: true, value: files });
  act(() => {
    input.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await untilChunk(chunks.attach);
}

afterEach(() => {
  unmountPanel(container);
});

describe('attachments in the widget', () => {
  it('offers a labelled attach button only once a person is involved', async () => {
    const { store } = mount();
    expect(attachButton()).toBeNull();
    await act(async () => {
      await store.getState().escalate('requested');
    });
    await settle();
    const button = attachButton()!;
    expect(button.getAttribute('aria-label')).toBe('Attach a file');
    expect(button.type).toBe('button');
    // The native input is out of the tab order; the button is the keyboard path.
    expect(fileInput().tabIndex).toBe(-1);
  });

  it('refuses a too large or unsupported file before uploading, and says why', async () => {
    const { store, uploads, chunks } = mount();
    await act(async () => {
      await store.getState().escalate('requested');
    });
    const big = new File(['x'], 'huge.png', { type: 'image/png' });
    Object.defineProperty(big, 'size', { value: 11 * 1024 * 1024 });
    await pick([big, new File(['<svg/>'], 'logo.svg', { type: 'image/svg+xml' })], chunks);
    const alert = container.querySelector('[role=alert]')!;
    expect(alert.textContent).toContain('huge.png is larger than 10 MB.');
    expect(alert.textContent).toContain("logo.svg can't be sent");
    expect(uploads).toHaveLength(0);
  });

  it('shows a chip while uploading, then the thumbnail; a failed upload can be retried; names stay text', async () => {
    const { store, fake, uploads, chunks } = mount();
    await act(async () => {
      await store.getState().escalate('requested');
    });
    await pick([new File([new Uint8Array(2048)], EVIL, { type: 'image/png' })], chunks);
    await settle();
    expect(uploads).toHaveLength(1);
    const bubble = () => container.querySelector('.pc-mine:last-of-type')!;
    expect(container.querySelector('.pc-file-name')!.textContent).toBe(EVIL);
    expect(container.querySelector('.pc-file-size')!.textContent).toBe('2 kB');
    expect(container.querySelector('img[src=x]')).toBeNull();
    expect(bubble().getAttribute('data-state')).toBe('sending');

    await act(async () => uploads[0]!.settle(Object.assign(new Error('busy'), { code: 'RATE_LIMITED' })));
    await settle();
    expect(bubble().getAttribute('data-state')).toBe('failed');
    expect(fake.mock.send).not.toHaveBeenCalled();

    const retry = [...container.querySelectorAll('button')].find((b) => b.textContent === 'Retry')!;
    act(() => retry.click());
    await settle();
    expect(uploads).toHaveLength(2);
    const served: Attachment = { name: EVIL, mime: 'image/png', size: 2048, url: 'http://chat.test/uploads/AAAAAAAAAAAAAAAAAAAAAAAA' };
    await act(async () => uploads[1]!.settle(served));
    await settle();
    const thumb = container.querySelector<HTMLImageElement>('img.pc-thumb')!;
    expect(thumb.getAttribute('src')).toBe(served.url);
    expect(thumb.alt).toBe(EVIL);
    expect((thumb.parentElement as HTMLAnchorElement).rel).toBe('noopener noreferrer');
    expect(fake.mock.send).toHaveBeenCalledWith('c1', '', expect.objectContaining({ attachments: [served] }));
    expect((window as unknown as { __xss?: number }).__xss).toBeUndefined();
  });

  it('renders a file from the agent as a download chip, never with a javascript: link', async () => {
    const { store, fake, chunks } = mount();
    await act(async () => {
      await store.getState().escalate('requested');
    });
    act(() => {
      fake.emit('message', {
        conversationId: 'c1',
        seq: 1,
        clientId: 'a1',
        author: { role: 'agent', id: 'a', name: 'Ana' },
        kind: 'text',
        text: '',
        at: 1,
        isMine: false,
        attachments: [
          { name: 'invoice.pdf', mime: 'application/pdf', size: 3 * 1024 * 1024 + 200_000, url: 'http://chat.test/uploads/BBBBBBBBBBBBBBBBBBBBBBBB' },
          { name: 'bad.png', mime: 'image/png', size: 10, url: 'javascript:alert(1)' },
        ],
      });
    });
    // The files arrive with the attach chunk; until then the message holds a busy status in their place.
    expect(container.querySelector('.pc-theirs [aria-busy=true]')).not.toBeNull();
    await untilChunk(chunks.attach);
    const links = [...container.querySelectorAll<HTMLAnchorElement>('a.pc-file')];
    expect(links[0]!.getAttribute('download')).toBe('invoice.pdf');
    expect(links[0]!.textContent).toBe('invoice.pdf 3.2 MB');
    expect(links[1]!.hasAttribute('href')).toBe(false);
    expect(container.querySelector('img.pc-thumb')).toBeNull();
  });

  it('an attach chunk that fails to load: the pick says so, WIDGET_LOAD_FAILED is emitted, the next pick works', async () => {
    const errors: unknown[] = [];
    let isDown = true;
    const flaky = testChunks({
      attach: () => (isDown ? Promise.reject(new Error('https://cdn.test/attach.js')) : import('../attach.js')),
      emit: (event, payload) => event === 'error' && errors.push(payload),
    });
    const { store, uploads } = mount(flaky);
    await act(async () => {
      await store.getState().escalate('requested');
    });
    await pick([new File(['hi'], 'note.txt', { type: 'text/plain' })], { attach: { load: () => flaky.attach.load().catch(() => undefined) } as never });
    await settle();
    expect(container.querySelector('[role=alert]')!.textContent).toBe('Something went wrong. Try again.');
    expect(errors).toEqual([{ code: 'WIDGET_LOAD_FAILED', message: 'Error: https://cdn.test/attach.js' }]);
    expect(uploads).toHaveLength(0);

    isDown = false;
    await pick([new File(['hi'], 'note.txt', { type: 'text/plain' })], flaky);
    await settle();
    expect(uploads).toHaveLength(1);
    expect(container.querySelector('[role=alert]')).toBeNull();
  });
});
