// Unit tests for matching behaviour (typos, synonyms, coverage) and the confidence calibration.
import { describe, expect, it } from 'vitest';
import { buildIndex } from './faq-index.js';
import { calibrate, CALIBRATION, type MatchSignals } from './match.js';
import { SMALL_FAQ } from './test-helpers.js';

const index = buildIndex(SMALL_FAQ);

describe('searchIndex (via FaqIndex.match)', () => {
  it('tolerates one-letter typos in longer words', () => {
    expect(index.match('forgot my pasword').results[0]?.id).toBe('reset-password');
    expect(index.match('deliverry time').results[0]?.id).toBe('delivery-time');
  });

  it('uses the built-in shopping synonyms, and owner synonyms', () => {
    // "reimbursed" appears nowhere in SMALL_FAQ; only the refund/return synonym group links it to "returns".
    const q = 'reimbursement?';
    const confidence = (i: ReturnType<typeof buildIndex>): number => i.search(q).find((r) => r.id === 'returns')?.score ?? 0;
    const without = confidence(buildIndex(SMALL_FAQ, { builtinSynonyms: false }));
    const builtin = buildIndex(SMALL_FAQ);
    expect(builtin.search(q)[0]?.id).toBe('returns');
    expect(confidence(builtin)).toBeGreaterThan(without + 0.2);
    expect(confidence(buildIndex(SMALL_FAQ, { builtinSynonyms: false, synonyms: [['return', 'reimburse']] }))).toBeGreaterThan(without + 0.2);
  });

  it('reports coverage: the share of the question the FAQ vocabulary knows', () => {
    expect(index.match('size chart').signals.coverage).toBe(1);
    expect(index.match('weather in paris tomorrow').signals.coverage).toBeLessThan(0.5);
  });

  it('is more confident for a close paraphrase than for a vague question', () => {
    const close = index.match('do you have a size chart').results[0]!.score;
    const vague = index.match('what should I do').results[0]?.score ?? 0;
    expect(close).toBeGreaterThan(0.8);
    expect(vague).toBeLessThan(close);
  });
});

describe('calibrate', () => {
  const base: MatchSignals = { score: 0.5, margin: 0.2, coverage: 1, entryCoverage: 1, agree: true, words: 4, selfSim: 0.5, neighbours: 1 };
  it('stays in [0, 1] and rises with score and margin', () => {
    for (const score of [0, 0.5, 1, 5]) {
      const c = calibrate({ ...base, score });
      expect(c).toBeGreaterThanOrEqual(0);
      expect(c).toBeLessThanOrEqual(1);
    }
    expect(calibrate({ ...base, margin: 0.4 })).toBeGreaterThan(calibrate(base));
    expect(calibrate({ ...base, margin: 0 })).toBeLessThan(calibrate(base));
  });
  it('uses the frozen coefficients by default', () => {
    expect(calibrate(base)).toBe(calibrate(base, CALIBRATION));
  });
});
