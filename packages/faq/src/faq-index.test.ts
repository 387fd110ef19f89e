// Unit tests for building, searching, serialising and loading the index (and its error codes).
import { describe, expect, it } from 'vitest';
import { buildIndex, FaqIndex, FAQ_INDEX_VERSION, loadIndex } from './faq-index.js';
import { caught, SMALL_FAQ } from './test-helpers.js';

describe('buildIndex', () => {
  it('validates entries at the boundary', () => {
    expect(caught(() => buildIndex([{ id: 'x', question: 'Q?', answer: 'A', link: 'javascript:1' }])).code).toBe('FAQ_INVALID_ENTRY');
    expect(caught(() => buildIndex([...SMALL_FAQ, SMALL_FAQ[0]!])).code).toBe('FAQ_DUPLICATE_ID');
  });

  it('does not keep references to the caller\'s entry objects', () => {
    const entries = SMALL_FAQ.map((e) => ({ ...e }));
    const index = buildIndex(entries);
    entries[0]!.question = 'changed';
    expect(index.entries[0]!.question).toBe('How long does delivery take?');
  });

  it('indexes answers at a lower weight, or not at all with answer weight 0', () => {
    const byAnswer = 'visa apple';
    expect(buildIndex(SMALL_FAQ).search(byAnswer)[0]?.id).toBe('payment-methods');
    const noAnswers = buildIndex(SMALL_FAQ, { fieldWeights: { answer: 0 } });
    expect(noAnswers.search(byAnswer).map((r) => r.id)).not.toContain('payment-methods');
  });
});

describe('FaqIndex.search', () => {
  const index = buildIndex(SMALL_FAQ);

  it('ranks the right entry first for a paraphrase', () => {
    expect(index.search('when will my package arrive')[0]?.id).toBe('delivery-time');
    expect(index.search('can I send back my jacket')[0]?.id).toBe('returns');
  });

  it('respects limit and returns confidences in [0, 1], best first', () => {
    const results = index.search('size chart for paypal orders', { limit: 3 });
    expect(results.length).toBeLessThanOrEqual(3);
    for (let i = 0; i < results.length; i++) {
      expect(results[i]!.score).toBeGreaterThanOrEqual(0);
      expect(results[i]!.score).toBeLessThanOrEqual(1);
      if (i) expect(results[i]!.score).toBeLessThanOrEqual(results[i - 1]!.score);
    }
    expect(results[0]!.entry.id).toBe(results[0]!.id);
  });

  it('returns nothing for text with no known words', () => {
    expect(index.search('zzzz qqqq')).toEqual([]);
    expect(index.search('')).toEqual([]);
  });

  it('throws FAQ_BAD_QUERY for a non-string question', () => {
    expect(caught(() => index.search(42 as unknown as string)).code).toBe('FAQ_BAD_QUERY');
  });
});

describe('FaqIndex.toJSON / fromJSON', () => {
  const index = buildIndex(SMALL_FAQ, { synonyms: [['parcel', 'order']], locale: 'en' });

  it('round-trips to an index that answers the same', () => {
    const json = JSON.stringify(index.toJSON());
    const loaded = loadIndex(json);
    expect(loaded.toJSON()).toEqual(index.toJSON());
    for (const q of ['where is my parcel', 'forgot password', 'do you take cards']) expect(loaded.search(q)).toEqual(index.search(q));
    expect(FaqIndex.fromJSON(JSON.parse(json)).size).toBe(SMALL_FAQ.length);
  });

  it('is versioned and compact', () => {
    const json = index.toJSON();
    expect(json).toMatchObject({ format: 'parley-faq-index', version: FAQ_INDEX_VERSION });
    expect(json.entries[0]).not.toHaveProperty('tags');
  });

  it('rejects another version with FAQ_INDEX_VERSION', () => {
    const e = caught(() => loadIndex({ ...index.toJSON(), version: 99 }));
    expect(e.code).toBe('FAQ_INDEX_VERSION');
    expect(e.details).toEqual({ version: 99, supported: FAQ_INDEX_VERSION });
  });

  it.each([
    ['not JSON', '{"format":'],
    ['not an index', { hello: 'world' }],
    ['null', null],
    ['entries missing', { format: 'parley-faq-index', version: FAQ_INDEX_VERSION, options: {} }],
    ['an invalid entry', { format: 'parley-faq-index', version: FAQ_INDEX_VERSION, options: {}, entries: [{ id: 'a', question: 'Q?' }] }],
  ])('rejects %s with FAQ_INDEX_CORRUPT', (_, json) => {
    expect(caught(() => loadIndex(json)).code).toBe('FAQ_INDEX_CORRUPT');
  });
});
