// Token buckets for per-connection and per-visitor limits. Pure: the caller passes the clock; no timers inside.

/** Refill rate and capacity of one bucket. */
export interface BucketRate {
  /** Tokens added per second. */
  perSecond: number;
  /** Most tokens the bucket holds: how large a burst may be. */
  burst: number;
}

/**
 * A token bucket. `take(nowMs)` spends one token and says whether one was there.
 * @example
 * const bucket = new TokenBucket({ perSecond: 10, burst: 30 }, Date.now());
 * if (!bucket.take(Date.now())) refuse('RATE_LIMITED');
 */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    private readonly rate: BucketRate,
    nowMs: number,
  ) {
    if (!(rate.perSecond > 0) || !(rate.burst >= 1)) {
      throw new RangeError('TokenBucket needs perSecond > 0 and burst >= 1');
    }
    this.tokens = rate.burst;
    this.lastMs = nowMs;
  }

  private refill(nowMs: number): void {
    // A clock that steps backwards (NTP) must not mint tokens or go negative.
    const elapsedMs = Math.max(0, nowMs - this.lastMs);
    this.tokens = Math.min(this.rate.burst, this.tokens + (elapsedMs * this.rate.perSecond) / 1000);
    this.lastMs = Math.max(this.lastMs, nowMs);
  }

  /** Spends one token; false when the bucket is empty (nothing is spent then). */
  take(nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** True when the bucket has refilled completely, so forgetting it changes nothing. */
  isFull(nowMs: number): boolean {
    this.refill(nowMs);
    return this.tokens >= this.rate.burst;
  }
}

/** The server's rate limits. Defaults in `DEFAULT_RATES`. */
export interface RateLimits {
  /** Any frame from one connection. */
  frames: BucketRate;
  /** `message.send` from one connection. */
  messages: BucketRate;
  /** `conversation.start` per visitor, across their connections. */
  conversationStarts: BucketRate;
  /** Invalid or refused frames one connection may send before it is closed with 4008 (20 per 10 s). */
  strikes: BucketRate;
  /** `POST /api/login` per client IP (10 at once, then one every 6 s). */
  logins: BucketRate;
  /** WebSocket upgrades per client IP; over it the upgrade is answered 429. */
  handshakes: BucketRate;
  /** `message.send` per visitor or agent across all their connections (more sockets must not buy more rate). */
  subjectMessages: BucketRate;
  /** Visitors' `message.send` per client IP, summed over every visitor behind it. */
  ipMessages: BucketRate;
  /** Visitors' `conversation.start` per client IP. */
  ipConversationStarts: BucketRate;
}

export const DEFAULT_RATES: Readonly<RateLimits> = Object.freeze({
  frames: { perSecond: 50, burst: 100 },
  messages: { perSecond: 10, burst: 30 },
  conversationStarts: { perSecond: 5 / 60, burst: 5 },
  strikes: { perSecond: 2, burst: 20 },
  logins: { perSecond: 1 / 6, burst: 10 },
  // The per-IP limits are sized for a shared address (an office, a mobile carrier's NAT, a proxy): fifty shoppers
  // behind one IP opening the chat at once and each sending a burst still fit; one machine flooding does not.
  handshakes: { perSecond: 5, burst: 100 },
  subjectMessages: { perSecond: 10, burst: 30 },
  ipMessages: { perSecond: 100, burst: 300 },
  ipConversationStarts: { perSecond: 1, burst: 60 },
});

/**
 * One token bucket per key (a client IP, a visitor id), all with the same rate. Buckets that have refilled are
 * forgotten by `sweep()`, so memory follows the number of recently active keys.
 */
export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly rate: BucketRate) {}

  /** Spends one token of `key`'s bucket; false when it is empty. */
  take(key: string, nowMs: number): boolean {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) this.buckets.set(key, (bucket = new TokenBucket(this.rate, nowMs)));
    return bucket.take(nowMs);
  }

  /** Forgets every bucket that is full again. */
  sweep(nowMs: number): void {
    for (const [key, bucket] of this.buckets) if (bucket.isFull(nowMs)) this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }
}
