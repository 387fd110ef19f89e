import type { Fanout } from './fanout.js';
export interface RedisFanoutOptions {
    /** e.g. `redis://127.0.0.1:6379`. */
    url: string;
    /** Prepended to every topic to form the Redis channel, so several deployments can share one Redis. Default `parley:`. */
    prefix?: string;
    /** Milliseconds to wait for the first connection. Default 5000. */
    connectTimeoutMs?: number;
    /** Milliseconds a publish/subscribe waits for Redis' reply before failing with FANOUT_UNAVAILABLE. Default 5000. */
    commandTimeoutMs?: number;
    /**
     * Connection errors, malformed messages on our channels, and listeners that throw (none of them has a caller to
     * reject). Default: an `error` line on the JSON logger.
     */
    onError?: (err: unknown, topic?: string) => void;
}
/**
 * Connects both Redis connections and returns a Fanout. Rejects with `FANOUT_UNAVAILABLE` when Redis can't be
 * reached. After connecting, ioredis reconnects on its own and resubscribes every channel.
 * @example
 * const fanout = await createRedisFanout({ url: process.env.REDIS_URL!, prefix: 'parley:' });
 */
export declare function createRedisFanout(options: RedisFanoutOptions): Promise<Fanout>;
