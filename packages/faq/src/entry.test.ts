// Unit tests for entry validation and id derivation.
import { describe, expect, it } from 'vitest';
import { entryProblems, slugify, validateEntries } from './entry.js';
import { caught } from './test-helpers.js';

describe('slugify', () => {
  it('derives a readable id from a question', () => {
    expect(slugify('Où est ma commande ?')).toBe('ou-est-ma-commande');
    expect(slugify('???')).toBe('entry');
  });
});

describe('entryProblems', () => {
  it('accepts a full valid entry', () => {
    expect(entryProblems({ id: 'a', question: 'Q?', phrasings: ['P'], answer: 'A', tags: ['t'], link: 'https://x.example/a', locale: 'pt-BR' })).toEqual([]);
  });
  it('rejects a bad locale and a non-object', () => {
    expect(entryProblems({ id: 'a', question: 'Q?', answer: 'A', locale: 'english!' }).map((p) => p.field)).toEqual(['locale']);
    expect(entryProblems('nope').map((p) => p.message)).toEqual(['entry must be an object']);
  });
});

describe('validateEntries', () => {
  it('throws FAQ_INVALID_ENTRY naming the entry position', () => {
    const e = caught(() => validateEntries([{ id: 'a', question: 'Q?', answer: '' }]));
    expect(e.code).toBe('FAQ_INVALID_ENTRY');
    expect(e.details?.problems).toEqual([{ line: 0, message: 'entry 0: empty answer' }]);
  });
  it('throws FAQ_DUPLICATE_ID', () => {
    const e = caught(() => validateEntries([{ id: 'a', question: 'Q?', answer: 'A' }, { id: 'a', question: 'R?', answer: 'B' }]));
    expect(e.code).toBe('FAQ_DUPLICATE_ID');
    expect(e.message).toBe('entries: entry 1: duplicate id "a"');
  });
  it('rejects a non-array', () => {
    expect(caught(() => validateEntries({} as unknown as unknown[])).code).toBe('FAQ_INVALID_ENTRY');
  });
});
