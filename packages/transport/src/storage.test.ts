// jsdom 31 (the root devDependency) needs Node 22 and fails to start on Node 20, so `localStorage` is a small
// Map-backed stand-in with the Web Storage methods the adapter calls, installed on globalThis for these tests.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ParleyError } from '@parley/protocol';
import { createStateStore, localStorageStorage, memoryStorage } from './storage.js';

describe('memoryStorage', () => {
  it('stores strings by key', () => {
    const s = memoryStorage();
    expect(s.get('k')).toBeNull();
    s.set('k', 'v');
    expect(s.get('k')).toBe('v');
  });
});

class MemoryWebStorage {
  private readonly data = new Map<string, string>();
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.data.set(key, String(value));
  }
}

describe('localStorageStorage', () => {
  beforeEach(() => {
    vi.stubGlobal('localStorage', new MemoryWebStorage());
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('keeps values under the prefix', () => {
    const s = localStorageStorage('parley:site:');
    s.set('outbox', '[]');
    expect(localStorage.getItem('parley:site:outbox')).toBe('[]');
    expect(s.get('outbox')).toBe('[]');
  });

  it('falls back to memory with STORAGE_UNAVAILABLE when localStorage throws (quota, private mode)', () => {
    vi.spyOn(MemoryWebStorage.prototype, 'setItem').mockImplementation(() => {
      throw new DOMException('quota', 'QuotaExceededError');
    });
    const errors: ParleyError[] = [];
    const store = createStateStore(localStorageStorage('p:'), (e) => errors.push(e));
    const state = { outbox: [{ conversationId: 'c1', clientId: 'x', text: 'hi' }], seqs: [['c1', 3]] as Array<[string, number]> };
    store.saveOutbox(state.outbox);
    store.saveSeqs(state.seqs);
    expect(errors.map((e) => e.code)).toEqual(['STORAGE_UNAVAILABLE']);
    expect(store.load()).toEqual(state);
  });

  it('falls back when localStorage is missing altogether (blocked, or Node)', () => {
    vi.stubGlobal('localStorage', undefined);
    const errors: ParleyError[] = [];
    const store = createStateStore(localStorageStorage('p:'), (e) => errors.push(e));
    expect(store.load()).toEqual({ outbox: [], seqs: [] });
    expect(errors.map((e) => e.code)).toEqual(['STORAGE_UNAVAILABLE']);
  });
});

describe('createStateStore', () => {
  it('round-trips the outbox and seqs', () => {
    const store = createStateStore(memoryStorage(), () => {});
    const state = { outbox: [{ conversationId: 'c1', clientId: 'x', text: 'hi' }], seqs: [['c1', 3]] as Array<[string, number]> };
    store.saveOutbox(state.outbox);
    store.saveSeqs(state.seqs);
    expect(store.load()).toEqual(state);
  });

  it('ignores corrupt or foreign data', () => {
    const raw = memoryStorage();
    raw.set('outbox', '{not json');
    raw.set('seqs', JSON.stringify([['c1', 2], ['c2', -1], [5, 1], 'x']));
    expect(createStateStore(raw, () => {}).load()).toEqual({ outbox: [], seqs: [['c1', 2]] });
    raw.set('outbox', JSON.stringify([{ conversationId: 'c1', clientId: 'x', text: 'ok', extra: 1 }, { clientId: 'y' }]));
    expect(createStateStore(raw, () => {}).load().outbox).toEqual([{ conversationId: 'c1', clientId: 'x', text: 'ok' }]);
  });

  it("keeps an entry's attachments across a reload, and drops malformed ones", () => {
    const raw = memoryStorage();
    const file = { name: 'a.png', mime: 'image/png', size: 3, url: 'https://chat.example/uploads/x' };
    raw.set(
      'outbox',
      JSON.stringify([
        { conversationId: 'c1', clientId: 'x', text: '', attachments: [file] },
        { conversationId: 'c1', clientId: 'y', text: 'hi', attachments: [{ name: 'b.png', size: '3' }] },
      ]),
    );
    expect(createStateStore(raw, () => {}).load().outbox).toEqual([
      { conversationId: 'c1', clientId: 'x', text: '', attachments: [file] },
      { conversationId: 'c1', clientId: 'y', text: 'hi' },
    ]);
  });

  it("keeps an entry's quick replies across a reload, and drops malformed ones", () => {
    const raw = memoryStorage();
    raw.set(
      'outbox',
      JSON.stringify([
        { conversationId: 'c1', clientId: 'x', text: 'Size?', quickReplies: ['S', 'M'] },
        { conversationId: 'c1', clientId: 'y', text: 'hi', quickReplies: ['S', 7] },
      ]),
    );
    expect(createStateStore(raw, () => {}).load().outbox).toEqual([
      { conversationId: 'c1', clientId: 'x', text: 'Size?', quickReplies: ['S', 'M'] },
      { conversationId: 'c1', clientId: 'y', text: 'hi' },
    ]);
  });
});
