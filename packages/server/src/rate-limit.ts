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
}

export const DEFAULT_RATES: Readonly<RateLimits> = Object.freeze({
  frames: { perSecond: 50, burst: 100 },
  messages: { perSecond: 10, burst: 30 },
  conversationStarts: { perSecond: 5 / 60, burst: 5 },
  strikes: { perSecond: 2, burst: 20 },
  logins: { perSecond: 1 / 6, burst: 10 },
});
