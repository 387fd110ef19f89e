import '../test-support/dom.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppInstance } from './controller.js';
import { createController } from './controller.js';

const config = { server: 'wss://chat.test/ws/visitor', siteKey: 's1', locale: 'fr' };
const noModules = () => Promise.reject(new Error('not in this test'));
const fakeApp = (): AppInstance => ({ open: vi.fn(), close: vi.fn(), toggle: vi.fn(), identify: vi.fn(), send: vi.fn(), shutdown: vi.fn(), destroy: vi.fn() });
const launcher = (): HTMLButtonElement => document.querySelector('[data-pos]')!.shadowRoot!.querySelector('button')!;
const tick = () => new Promise((r) => setTimeout(r, 0));

afterEach(() => {
  document.body.replaceChildren();
  localStorage.clear();
  vi.restoreAllMocks();
});

describe('createController', () => {
  it('draws an accessible launcher and loads nothing, writes nothing before interaction', () => {
    const setItem = vi.spyOn(Storage.prototype, 'setItem');
    const loadApp = vi.fn();
    createController(config, loadApp, noModules, 'https://cdn.test/');
    const b = launcher();
    // Before the locale file: the page language's word for chat (the app sets "Ouvrir le chat" later).
    expect(b.getAttribute('aria-label')).toBe('Chat');
    expect(b.getAttribute('aria-expanded')).toBe('false');
    expect(b.type).toBe('button');
    expect(loadApp).not.toHaveBeenCalled();
    expect(setItem).not.toHaveBeenCalled();
    expect(document.cookie).toBe('');
  });

  it('loads the app on click and toggles it; identify waits for the app without loading it', async () => {
    const app = fakeApp();
    const loadApp = vi.fn(async () => () => app);
    const api = createController(config, loadApp, noModules, 'https://cdn.test/');
    api.identify({ name: 'Ana' });
    expect(loadApp).not.toHaveBeenCalled();
    launcher().click();
    await tick();
    expect(loadApp).toHaveBeenCalledTimes(1);
    expect(app.toggle).toHaveBeenCalledTimes(1);
    expect(app.identify).toHaveBeenCalledWith({ name: 'Ana' });
  });

  it('send() loads the app and hands it the text; a non-string throws at once with the fix', async () => {
    const app = fakeApp();
    const api = createController(config, vi.fn(async () => () => app), noModules, 'https://cdn.test/');
    api.send('How long does delivery take?');
    await tick();
    expect(app.send).toHaveBeenCalledWith('How long does delivery take?');
    expect(() => api.send(42 as unknown as string)).toThrow(/send\(text\) takes a string/);
  });

  it('loads at once when a conversation is in progress', () => {
    localStorage.setItem('parley:s1:active', 'c1');
    const loadApp = vi.fn(async () => () => fakeApp());
    createController(config, loadApp, noModules, 'https://cdn.test/');
    expect(loadApp).toHaveBeenCalledTimes(1);
  });

  it('survives a failed app load: grey launcher, error event, retry on next click', async () => {
    const loadApp = vi.fn().mockRejectedValueOnce(new Error('404')).mockResolvedValueOnce(() => fakeApp());
    const api = createController(config, loadApp, noModules, 'https://cdn.test/');
    const errors: unknown[] = [];
    api.on('error', (e) => errors.push(e));
    api.open();
    await tick();
    expect(launcher().hasAttribute('data-off')).toBe(true);
    expect(launcher().getAttribute('aria-label')).toBe('Chat unavailable');
    expect(errors).toEqual([{ code: 'WIDGET_LOAD_FAILED', message: 'Error: 404' }]);
    launcher().click();
    await tick();
    expect(loadApp).toHaveBeenCalledTimes(2);
    expect(launcher().hasAttribute('data-off')).toBe(false);
  });

  it('isolates a throwing host listener', async () => {
    const api = createController(config, () => Promise.reject(new Error('x')), noModules, 'https://cdn.test/');
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const after = vi.fn();
    api.on('error', () => {
      throw new Error('host bug');
    });
    api.on('error', after);
    api.open();
    await tick();
    expect(after).toHaveBeenCalled();
    expect(error).toHaveBeenCalled();
  });

  it('shutdown forgets the visitor and removes the widget', () => {
    localStorage.setItem('parley:s1:outbox', '[]');
    localStorage.setItem('other', 'keep');
    const api = createController({ ...config }, vi.fn(() => new Promise<never>(() => {})), noModules, 'https://cdn.test/');
    api.shutdown();
    expect(localStorage.getItem('parley:s1:outbox')).toBeNull();
    expect(localStorage.getItem('other')).toBe('keep');
    expect(document.querySelector('[data-pos]')).toBeNull();
  });

  it('throws on a bad server URL with the fix in the message', () => {
    expect(() => createController({ server: 'https://x' }, vi.fn(), noModules, '')).toThrow(/config.server must be a wss:\/\/ URL/);
  });

  it('applies theme colour with readable text and position', () => {
    createController({ ...config, theme: { color: '#ffd400', position: 'left', mode: 'dark' } }, vi.fn(), noModules, '');
    const host = document.querySelector<HTMLElement>('[data-pos]')!;
    expect(host.getAttribute('data-pos')).toBe('left');
    const css = (host.shadowRoot!.adoptedStyleSheets as unknown as Array<{ cssText: string }>).map((s) => s.cssText).join('\n');
    expect(css).toContain(':host{--pa:#ffd400!important;--pf:#000!important}');
    expect(css).toContain('all:initial');
  });

  it('ignores a colour that could inject CSS', () => {
    createController({ ...config, theme: { color: 'red;}*{display:none' } }, vi.fn(), noModules, '');
    const host = document.querySelector<HTMLElement>('[data-pos]')!;
    const css = (host.shadowRoot!.adoptedStyleSheets as unknown as Array<{ cssText: string }>).map((s) => s.cssText).join('\n');
    expect(css).not.toContain('*{display:none');
    expect(css).not.toContain('--pa:red');
  });
});
