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
export declare class TokenBucket {
    private readonly rate;
    private tokens;
    private lastMs;
    constructor(rate: BucketRate, nowMs: number);
    private refill;
    /** Spends one token; false when the bucket is empty (nothing is spent then). */
    take(nowMs: number): boolean;
    /** True when the bucket has refilled completely, so forgetting it changes nothing. */
    isFull(nowMs: number): boolean;
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
export declare const DEFAULT_RATES: Readonly<RateLimits>;
/**
 * One token bucket per key (a client IP, a visitor id), all with the same rate. Buckets that have refilled are
 * forgotten by `sweep()`, so memory follows the number of recently active keys.
 */
export declare class KeyedBuckets {
    private readonly rate;
    private readonly buckets;
    constructor(rate: BucketRate);
    /** Spends one token of `key`'s bucket; false when it is empty. */
    take(key: string, nowMs: number): boolean;
    /** Forgets every bucket that is full again. */
    sweep(nowMs: number): void;
    get size(): number;
}
