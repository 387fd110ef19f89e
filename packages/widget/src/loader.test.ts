import '../test-support/dom.js';
import { describe, expect, it, vi } from 'vitest';

type Parley = ((...a: unknown[]) => void) & { q?: unknown[][] };

describe('loader', () => {
  it('replays the snippet queue, loads app.js on open, and degrades quietly when it fails', async () => {
    const w = window as unknown as { Parley: Parley };
    // The async snippet site owners paste.
    w.Parley = function (...args: unknown[]) {
      (w.Parley.q = w.Parley.q || []).push(args);
    } as Parley;
    const onError = vi.fn();
    w.Parley('on', 'error', onError);
    w.Parley('boot', { server: 'wss://chat.test/ws/visitor', assetsUrl: 'https://cdn.test/parley/' });
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    await import('./loader.js');

    const host = document.querySelector('[data-pos]')!;
    const button = host.shadowRoot!.querySelector('button')!;
    expect(button.getAttribute('aria-label')).toBe('Chat');
    expect(document.querySelector('script')).toBeNull();

    w.Parley('open');
    const script = document.querySelector('script')!;
    expect(script.src).toBe('https://cdn.test/parley/app.js');
    script.dispatchEvent(new Event('error'));
    await new Promise((r) => setTimeout(r, 0));
    expect(onError).toHaveBeenCalledWith({ code: 'WIDGET_LOAD_FAILED', message: expect.stringContaining('app.js') });
    expect(button.hasAttribute('data-off')).toBe(true);
    expect(document.querySelector('script')).toBeNull();

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    w.Parley('nonsense');
    expect(warn).toHaveBeenCalled();
    w.Parley('boot', null);
    expect(error).not.toHaveBeenCalled();
    w.Parley('shutdown');
    w.Parley('boot', { server: 'http://wrong' });
    expect(error).toHaveBeenCalledWith(expect.any(TypeError));
    expect(document.querySelector('[data-pos]')).toBeNull();
    w.Parley('boot', { server: 'wss://chat.test/ws/visitor' });
    w.Parley('shutdown');
    expect(document.querySelector('[data-pos]')).toBeNull();
  });
});
