import { describe, expect, it } from 'vitest';
import { DEFAULT_CANNED, expandShortcut, loadCanned, matchShortcuts, saveCanned } from './canned.js';

const list = [
  { shortcut: 'shipping', text: 'Ships in 2 days.' },
  { shortcut: 'shop', text: 'Our shop.' },
];

describe('expandShortcut', () => {
  it('expands a known /shortcut at the end of the text, case-insensitively', () => {
    expect(expandShortcut('/shipping', list)).toBe('Ships in 2 days.');
    expect(expandShortcut('Sure! /Shipping', list)).toBe('Sure! Ships in 2 days.');
    expect(expandShortcut('/nope', list)).toBeUndefined();
    expect(expandShortcut('a/shipping', list)).toBeUndefined();
    expect(expandShortcut('/shipping now', list)).toBeUndefined();
  });
});

describe('matchShortcuts', () => {
  it('lists shortcuts starting with the typed prefix', () => {
    expect(matchShortcuts('/sh', list).map((c) => c.shortcut)).toEqual(['shipping', 'shop']);
    expect(matchShortcuts('/shi', list).map((c) => c.shortcut)).toEqual(['shipping']);
    expect(matchShortcuts('no slash', list)).toEqual([]);
  });
});

describe('loadCanned / saveCanned', () => {
  it('round-trips, drops invalid items, and falls back to defaults on bad or blocked storage', () => {
    const map = new Map<string, string>();
    const storage = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
    expect(loadCanned(storage)).toEqual(DEFAULT_CANNED);
    expect(saveCanned(storage, list)).toBe(true);
    expect(loadCanned(storage)).toEqual(list);
    map.set('parley-console:canned', JSON.stringify([...list, { shortcut: 'bad space', text: 'x' }, { shortcut: 'ok', text: '' }]));
    expect(loadCanned(storage)).toEqual(list);
    map.set('parley-console:canned', '{nope');
    expect(loadCanned(storage)).toEqual(DEFAULT_CANNED);
    const blocked = { getItem: () => { throw new Error('blocked'); }, setItem: () => { throw new Error('quota'); } };
    expect(loadCanned(blocked)).toEqual(DEFAULT_CANNED);
    expect(saveCanned(blocked, list)).toBe(false);
  });
});
