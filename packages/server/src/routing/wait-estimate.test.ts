import { describe, expect, it } from 'vitest';
import { DEFAULT_WAIT_MS, estimateWaitSeconds, ewmaMs } from './wait-estimate.js';

describe('ewmaMs', () => {
  it('moves alpha of the way towards each new wait, oldest first', () => {
    expect(ewmaMs([60_000], 0.3)).toBe(60_000);
    expect(ewmaMs([60_000, 30_000], 0.5)).toBe(45_000);
    // 100 → 100 + 0.3·(200−100) = 130 → 130 + 0.3·(10−130) = 94
    expect(ewmaMs([100, 200, 10], 0.3)).toBeCloseTo(94, 10);
  });

  it('weights recent waits more than old ones', () => {
    // The same five waits: a long one just now counts more than the same long one four waits ago.
    expect(ewmaMs([10_000, 10_000, 10_000, 10_000, 90_000])).toBeCloseTo(34_000, 6);
    expect(ewmaMs([90_000, 10_000, 10_000, 10_000, 10_000])).toBeCloseTo(29_208, 6);
  });

  it('falls back when there is no history and skips unusable samples', () => {
    expect(ewmaMs([])).toBe(DEFAULT_WAIT_MS);
    expect(ewmaMs([], 0.3, 5000)).toBe(5000);
    expect(ewmaMs([Number.NaN, -5, 40_000])).toBe(40_000);
  });

  it('refuses an alpha outside (0, 1]', () => {
    expect(() => ewmaMs([1], 0)).toThrow(RangeError);
    expect(() => ewmaMs([1], 1.5)).toThrow(RangeError);
  });
});

describe('estimateWaitSeconds', () => {
  it('gives the back of the queue the whole average and the entries ahead proportionally less', () => {
    expect(estimateWaitSeconds(4, 4, 120_000)).toBe(120);
    expect(estimateWaitSeconds(1, 4, 120_000)).toBe(30);
    expect(estimateWaitSeconds(2, 4, 120_000)).toBe(60);
  });

  it('shrinks as the queue moves', () => {
    const before = estimateWaitSeconds(3, 3, 90_000);
    const after = estimateWaitSeconds(2, 2, 60_000);
    expect(after).toBeLessThan(before);
  });

  it('never divides by zero or goes negative', () => {
    expect(estimateWaitSeconds(1, 0, 10_000)).toBe(10);
    expect(estimateWaitSeconds(1, 1, 0)).toBe(0);
  });
});
