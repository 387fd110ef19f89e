// The budgets contract, in memory and in a real Redis (when REDIS_URL is set): burst, refusal, refill, the order
// in which several buckets are spent, and two clients of one Redis spending the same buckets.

import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createMemoryBudgets, createRedisBudgets, type SharedBudgets } from './shared-budgets.js';

const RATE = { perSecond: 1, burst: 2 };
const SLOW = { perSecond: 1 / 60, burst: 1 };
const opened: SharedBudgets[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((b) => b.close()));
});

function contract(name: string, make: () => Promise<SharedBudgets>) {
  describe(`SharedBudgets: ${name}`, () => {
    const open = async () => {
      const budgets = await make();
      opened.push(budgets);
      return budgets;
    };

    it('gives the burst, refuses, and refills at the rate (never backwards in time)', async () => {
      const budgets = await open();
      const spend = [{ key: 'k', rate: RATE }];
      expect(await budgets.take(spend, 10_000)).toBe(true);
      expect(await budgets.take(spend, 10_000)).toBe(true);
      expect(await budgets.take(spend, 10_000)).toBe(false);
      expect(await budgets.take(spend, 10_999)).toBe(false);
      expect(await budgets.take(spend, 11_000)).toBe(true);
      // An earlier clock mints nothing.
      expect(await budgets.take(spend, 5_000)).toBe(false);
      expect(await budgets.take([{ key: 'other', rate: RATE }], 11_000)).toBe(true);
    });

    it('spends in order and stops at the first empty bucket, keeping what it spent before it', async () => {
      const budgets = await open();
      const first = { key: 'first', rate: RATE };
      const second = { key: 'second', rate: SLOW };
      expect(await budgets.take([first, second], 0)).toBe(true);
      expect(await budgets.take([first, second], 0)).toBe(false); // second empty; first spent its last token
      expect(await budgets.take([first], 0)).toBe(false);
      expect(await budgets.take([second, first], 0)).toBe(false); // second empty: first not touched
      expect(await budgets.take([first], 1000)).toBe(true);
    });
  });
}

contract('memory', () => Promise.resolve(createMemoryBudgets()));

const redisUrl = process.env.REDIS_URL;
if (redisUrl !== undefined) {
  const prefix = `parley-test-budgets-${process.pid}-${Date.now()}:`;
  afterAll(async () => {
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
  let n = 0;
  // A fresh prefix per test: each starts with full buckets.
  contract('redis', () => createRedisBudgets({ url: redisUrl, prefix: `${prefix}${++n}:` }));

  describe('SharedBudgets: two Redis clients', () => {
    it('spend the same buckets, and fail closed with RATE_LIMITED once closed', async () => {
      const shared = `${prefix}two:`;
      const a = await createRedisBudgets({ url: redisUrl, prefix: shared });
      const b = await createRedisBudgets({ url: redisUrl, prefix: shared });
      opened.push(a);
      const spend = [{ key: 'visitor', rate: RATE }];
      expect(await a.take(spend, 1000)).toBe(true);
      expect(await b.take(spend, 1000)).toBe(true);
      expect(await a.take(spend, 1000)).toBe(false);
      expect(await b.take(spend, 1000)).toBe(false);
      await b.close();
      await expect(b.take(spend, 1000)).rejects.toMatchObject({ code: 'RATE_LIMITED', retryable: true });
    });

    it('refuses an unreachable Redis at start with FANOUT_UNAVAILABLE', async () => {
      await expect(createRedisBudgets({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 500 })).rejects.toMatchObject({ code: 'FANOUT_UNAVAILABLE' });
    });
  });
}
