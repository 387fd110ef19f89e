import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultOnlineSource } from './socket.js';

describe('defaultOnlineSource', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('is always online without a browser', () => {
    vi.stubGlobal('window', undefined);
    vi.stubGlobal('navigator', undefined);
    const source = defaultOnlineSource();
    expect(source.isOnline()).toBe(true);
    expect(source.subscribe(() => {})).toBeTypeOf('function');
  });

  it('follows navigator.onLine and the window online/offline events', () => {
    const win = new EventTarget();
    const nav = { onLine: false };
    vi.stubGlobal('window', win);
    vi.stubGlobal('navigator', nav);
    const source = defaultOnlineSource();
    expect(source.isOnline()).toBe(false);
    const seen: boolean[] = [];
    const off = source.subscribe((isOnline) => seen.push(isOnline));
    win.dispatchEvent(new Event('online'));
    win.dispatchEvent(new Event('offline'));
    off();
    win.dispatchEvent(new Event('online'));
    expect(seen).toEqual([true, false]);
  });
});
