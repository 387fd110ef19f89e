// Token buckets spent by every node together (Redis), for limits that must hold across a cluster rather than per
// process: the transcript e-mail budgets. In memory when there is one node. The per-frame rate limits stay per
// process (rate-limit.ts, shared-limits.ts): a Redis round trip on every frame would cost more than it protects.

import { Redis } from 'ioredis';
import { ParleyError } from '@parley/protocol';
import { KeyedBuckets, type BucketRate } from './rate-limit.js';

export interface BudgetSpend {
  /** Names the bucket (a visitor's, a conversation's); one namespace per rate, chosen by the caller. */
  key: string;
  rate: BucketRate;
}

export interface SharedBudgets {
  /**
   * Spends one token from each bucket in order, stopping at the first that is empty: true when every one had a
   * token. Those before the empty one stay spent (asking again and again is what the first budgets limit).
   * Rejects with RATE_LIMITED (retryable) when the shared store cannot be reached: the limit fails closed.
   */
  take(spends: readonly BudgetSpend[], nowMs: number): Promise<boolean>;
  /** Forgets full buckets (memory); Redis expires them itself. */
  sweep(nowMs: number): void;
  close(): Promise<void>;
}

/** One process's budgets. */
export function createMemoryBudgets(): SharedBudgets {
  const byRate = new Map<BucketRate, KeyedBuckets>();
  return {
    take(spends, nowMs) {
      for (const { key, rate } of spends) {
        let buckets = byRate.get(rate);
        if (buckets === undefined) byRate.set(rate, (buckets = new KeyedBuckets(rate)));
        if (!buckets.take(key, nowMs)) return Promise.resolve(false);
      }
      return Promise.resolve(true);
    },
    sweep(nowMs) {
      for (const buckets of byRate.values()) buckets.sweep(nowMs);
    },
    close: () => Promise.resolve(),
  };
}

/**
 * The same buckets as TokenBucket, atomically in Redis: each key a hash of tokens and the time they were counted,
 * expiring once it would be full again. The caller's clock is used, and never runs a bucket backwards.
 * KEYS: the buckets; ARGV: now (ms), then per key its tokens per ms and burst.
 */
const TAKE_SCRIPT = `
local now = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local per_ms = tonumber(ARGV[2 * i])
  local burst = tonumber(ARGV[2 * i + 1])
  local state = redis.call('HMGET', key, 't', 'at')
  local tokens = tonumber(state[1])
  local at = tonumber(state[2])
  if tokens == nil or at == nil then
    tokens = burst
    at = now
  end
  if now > at then
    tokens = math.min(burst, tokens + (now - at) * per_ms)
    at = now
  end
  if tokens < 1 then return 0 end
  tokens = tokens - 1
  redis.call('HSET', key, 't', tostring(tokens), 'at', tostring(at))
  redis.call('PEXPIRE', key, math.ceil((burst - tokens) / per_ms) + 1000)
end
return 1
`;

export interface RedisBudgetsOptions {
  /** e.g. `redis://127.0.0.1:6379`. */
  url: string;
  /** Prepended to every key, as the fan-out's channels are (deployments and tests sharing one Redis stay apart). */
  prefix?: string;
  /** Milliseconds to wait for the first connection. Default 5000. */
  connectTimeoutMs?: number;
  /** Milliseconds one take waits for Redis. Default 2000. */
  commandTimeoutMs?: number;
  /** Connection errors (ioredis reconnects on its own); they have no caller to reject. */
  onError?: (err: unknown) => void;
}

/** Connects and returns budgets every node shares. Rejects with FANOUT_UNAVAILABLE when Redis can't be reached. */
export async function createRedisBudgets(options: RedisBudgetsOptions): Promise<SharedBudgets> {
  const prefix = `${options.prefix ?? 'parley:'}budget:`;
  const redis = new Redis(options.url, {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    // A take answers now or fails: a request must not wait for Redis to come back, nor spend twice on a resend.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: options.commandTimeoutMs ?? 2000,
  });
  redis.on('error', (err) => options.onError?.(err));
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new ParleyError('FANOUT_UNAVAILABLE', 'redis is unavailable', { cause: err, retryable: true });
  }
  return {
    async take(spends, nowMs) {
      if (spends.length === 0) return true;
      const args = [String(nowMs)];
      for (const { rate } of spends) args.push(String(rate.perSecond / 1000), String(rate.burst));
      try {
        const taken = await redis.eval(TAKE_SCRIPT, spends.length, ...spends.map((s) => prefix + s.key), ...args);
        return taken === 1;
      } catch (err) {
        throw new ParleyError('RATE_LIMITED', 'the shared limits cannot be checked right now; try again shortly', { cause: err, retryable: true });
      }
    },
    sweep() {
      // Each bucket expires in Redis once it would be full again.
    },
    async close() {
      try {
        await redis.quit();
      } catch {
        // Already gone: nothing left to release.
        redis.disconnect();
      }
    },
  };
}
