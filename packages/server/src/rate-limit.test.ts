import { describe, expect, it } from 'vitest';
import { KeyedBuckets, TokenBucket } from './rate-limit.js';

describe('TokenBucket', () => {
  it('allows a burst, then refills at the rate', () => {
    const bucket = new TokenBucket({ perSecond: 10, burst: 3 }, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false]);
    expect(bucket.take(99)).toBe(false);
    expect(bucket.take(100)).toBe(true);
    expect(bucket.take(100)).toBe(false);
  });

  it('never holds more than the burst', () => {
    const bucket = new TokenBucket({ perSecond: 10, burst: 2 }, 0);
    expect(bucket.isFull(60_000)).toBe(true);
    expect([bucket.take(60_000), bucket.take(60_000), bucket.take(60_000)]).toEqual([true, true, false]);
  });

  it('ignores a clock that steps backwards', () => {
    const bucket = new TokenBucket({ perSecond: 1, burst: 1 }, 10_000);
    expect(bucket.take(10_000)).toBe(true);
    expect(bucket.take(0)).toBe(false);
    expect(bucket.take(10_999)).toBe(false);
    expect(bucket.take(11_000)).toBe(true);
  });

  it('refuses nonsense rates', () => {
    expect(() => new TokenBucket({ perSecond: 0, burst: 1 }, 0)).toThrow(RangeError);
  });
});

describe('KeyedBuckets', () => {
  it('keeps one bucket per key and forgets refilled ones', () => {
    const buckets = new KeyedBuckets({ perSecond: 1, burst: 2 });
    expect([buckets.take('a', 0), buckets.take('a', 0), buckets.take('a', 0)]).toEqual([true, true, false]);
    expect(buckets.take('b', 0)).toBe(true);
    expect(buckets.size).toBe(2);
    buckets.sweep(1000);
    expect(buckets.size).toBe(1);
    buckets.sweep(2000);
    expect(buckets.size).toBe(0);
    expect([buckets.take('a', 2000), buckets.take('a', 2000), buckets.take('a', 2000)]).toEqual([true, true, false]);
  });
});
