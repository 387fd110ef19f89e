import '../test-support/dom.js';
import { readFileSync } from 'node:fs';
import * as faqEngine from '@parley/faq';
import * as faqRuntime from '@parley/faq/runtime';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFakeClient, flush } from '../test-support/fake-client.js';
import { createController, type StartApp } from './controller.js';
import type { WidgetConfig } from './embed-api.js';
import en from './i18n/locales/en.json';
import type { ModuleMap } from './modules.js';
import * as forms from './forms.js';
import { RATING_SCALE_RANGES } from '@parley/protocol';
import { RATING_SCALES, startApp } from './mount.js';

const { entries } = faqEngine.parseFaqMarkdown(readFileSync(new URL('../../faq/fixtures/storefront-faq.md', import.meta.url), 'utf8'));

function boot(config: Partial<WidgetConfig> = {}) {
  const fake = createFakeClient();
  const identities: Array<() => unknown> = [];
  const start: StartApp = (ctx) =>
    startApp(ctx, async (_ctx, identity) => {
      identities.push(identity);
      return fake.client;
    });
  const modules: Partial<Record<keyof ModuleMap, unknown>> = { faq: faqRuntime, 'faq-build': faqEngine, forms };
  const load = (async (name: keyof ModuleMap) => modules[name] ?? Promise.reject(new Error('no transport in unit tests'))) as never;
  const api = createController({ server: 'wss://chat.test/ws/visitor', siteKey: 's1', locale: 'en', faq: entries, messages: en, ...config }, async () => start, load, 'https://cdn.test/');
  const root = document.querySelector('[data-pos]')!.shadowRoot!;
  return { api, fake, root, launcher: root.querySelector('button')!, identity: () => identities.at(-1)?.() };
}
const settle = () => act(async () => {
  await new Promise((r) => setTimeout(r, 0));
  await flush();
});

afterEach(() => {
  document.body.replaceChildren();
  localStorage.clear();
  vi.unstubAllGlobals();
});

describe('startApp', () => {
  it('opens from the launcher, answers from the FAQ, and returns focus to the launcher on close', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('{}', { status: 404 })));
    const { root, launcher, api } = boot();
    const opened = vi.fn();
    api.on('open', opened);
    launcher.click();
    await settle();
    expect(opened).toHaveBeenCalled();
    expect(launcher.getAttribute('aria-expanded')).toBe('true');
    expect(launcher.getAttribute('aria-label')).toBe('Close chat');
    const dialog = root.querySelector('[role=dialog]')!;
    expect(dialog.getAttribute('dir')).toBe('ltr');
    expect(root.activeElement?.id).toBe('pc-input');
    // Panel CSS is adopted, never inlined.
    expect(root.querySelector('style')).toBeNull();
    expect(root.adoptedStyleSheets.length).toBe(4);

    const input = root.querySelector<HTMLTextAreaElement>('#pc-input')!;
    act(() => {
      input.value = 'how long does delivery take';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    act(() => void input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })));
    await settle();
    expect(root.querySelector('.pc-answer')!.textContent).toContain('Standard delivery takes 3–5 working days');

    act(() => root.querySelector<HTMLButtonElement>('.pc-close')!.click());
    await settle();
    expect(root.querySelector('[role=dialog]')).toBeNull();
    expect(root.activeElement).toBe(launcher);
    expect(launcher.getAttribute('aria-expanded')).toBe('false');
  });

  it('fetches the locale next to the app, sets dir=rtl for Arabic, and never writes storage for self-service', async () => {
    const fetchMock = vi.fn(async (_url: URL | string) => new Response(JSON.stringify({ 'panel.title': 'تحدث معنا' }), { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    const setItem = vi.spyOn(Storage.prototype, 'setItem');
    const { root, api } = boot({ locale: 'ar-EG', messages: undefined });
    api.open();
    await settle();
    expect(fetchMock.mock.calls[0]![0].toString()).toBe('https://cdn.test/locales/ar.json');
    const dialog = root.querySelector('[role=dialog]')!;
    expect(dialog.getAttribute('dir')).toBe('rtl');
    expect(dialog.getAttribute('lang')).toBe('ar');
    expect(root.querySelector('#pc-title')!.textContent).toBe('تحدث معنا');
    expect(setItem).not.toHaveBeenCalled();
  });

  it('resumes the remembered conversation at once and shows unread on the launcher', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('{}')));
    localStorage.setItem('parley:s1:active', 'c1');
    const { fake, launcher, api } = boot();
    const unread = vi.fn();
    api.on('unread', unread);
    await settle();
    expect(fake.mock.join).toHaveBeenCalledWith('c1');
    act(() =>
      fake.emit('message', { conversationId: 'c1', seq: 1, clientId: 'm', kind: 'text', text: 'Your parcel left today', at: 1, isMine: false, author: { role: 'agent', id: 'a' } }),
    );
    expect(unread).toHaveBeenCalledWith({ count: 1 });
    expect(launcher.getAttribute('aria-label')).toBe('Open chat (1 unread)');
    expect(launcher.querySelector('.pb')!.textContent).toBe('1');
  });

  it('hands the transport the identity from boot, replaced by identify() and kept when identify() has none', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('{}')));
    localStorage.setItem('parley:s1:active', 'c1');
    const { api, identity } = boot({ identity: { userId: 'u1', hmac: 'aa' } });
    await settle();
    expect(identity()).toEqual({ userId: 'u1', hmac: 'aa' });
    api.identify({ name: 'Jo', email: 'jo@example.com' });
    expect(identity()).toEqual({ userId: 'u1', hmac: 'aa' });
    // Asked afresh at every connection attempt, so a new JWT is used from the next one on.
    api.identify({ jwt: 'h.p.s' });
    expect(identity()).toEqual({ jwt: 'h.p.s' });
    // An HMAC without its user id, or non-strings, are not an identity: the last good one stays.
    api.identify({ hmac: 'bb' } as never);
    api.identify({ userId: 7, hmac: [] } as never);
    expect(identity()).toEqual({ jwt: 'h.p.s' });
  });

  it('shows a notice, not a crash, when the server refuses the identity, and clears it once connected', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('{}')));
    localStorage.setItem('parley:s1:active', 'c1');
    const { api, fake, root } = boot();
    const errors = vi.fn();
    api.on('error', errors);
    api.open();
    await settle();
    act(() => fake.emit('error', Object.assign(new Error('identity required'), { code: 'AUTH_IDENTITY_REQUIRED' }) as never));
    expect(errors).toHaveBeenCalledWith({ code: 'AUTH_IDENTITY_REQUIRED', message: 'identity required' });
    expect(root.querySelector('[role=alert]')!.textContent).toBe(en['identity.failed']);
    act(() => fake.emit('state', 'open'));
    expect(root.querySelector('[role=alert]')).toBeNull();
  });

  it('an unknown boot ratingScale warns and asks on the site\'s scale instead of breaking the rating screen', async () => {
    expect([...RATING_SCALES]).toEqual(Object.keys(RATING_SCALE_RANGES));
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ ratingScale: 'ces' }))));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    localStorage.setItem('parley:s1:active', 'c1');
    const { api, fake, root } = boot({ ratingScale: 'NPS' as never });
    const errors = vi.fn();
    api.on('error', errors);
    api.open();
    await settle();
    act(() => fake.frame({ type: 'conversation.closed', conversationId: 'c1', by: 'agent' }));
    for (let i = 0; i < 5 && !root.querySelector('legend'); i++) await settle();
    expect(root.querySelector('legend')!.textContent).toBe(en['rating.title.ces']);
    expect(root.querySelectorAll('fieldset input[type=radio]')).toHaveLength(7);
    expect(errors).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('config.ratingScale must be one of csat, ces, nps, not "NPS"'));
    warn.mockRestore();
  });

  it('shutdown closes the socket and clears our keys', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('{}')));
    localStorage.setItem('parley:s1:active', 'c1');
    localStorage.setItem('parley:s1:token', 't');
    const { fake, api } = boot();
    await settle();
    api.shutdown();
    expect(fake.mock.close).toHaveBeenCalled();
    expect(localStorage.length).toBe(0);
    expect(document.querySelector('[data-pos]')).toBeNull();
  });
});
