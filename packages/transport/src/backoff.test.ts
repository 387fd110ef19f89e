import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, delayMs } from './backoff.js';

describe('delayMs', () => {
  it('doubles the ceiling per attempt and caps it', () => {
    const half = () => 0.5;
    const schedule = Array.from({ length: 10 }, (_, attempt) => delayMs(attempt, DEFAULT_BACKOFF, half));
    expect(schedule).toEqual([250, 500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000, 15_000]);
  });

  it('spans [0, ceiling] with full jitter', () => {
    expect(delayMs(3, { baseMs: 500, capMs: 30_000 }, () => 0)).toBe(0);
    expect(delayMs(3, { baseMs: 500, capMs: 30_000 }, () => 0.999_999)).toBe(4000);
    expect(delayMs(20, { baseMs: 500, capMs: 30_000 }, () => 0.999_999)).toBe(30_000);
  });

  it('stays finite for absurd attempt counts', () => {
    expect(delayMs(5000, { baseMs: 500, capMs: 30_000 }, () => 0.5)).toBe(15_000);
  });
});
