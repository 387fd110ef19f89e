import type { ServerConfig } from './config.js';
import type { Fanout } from './fanout/fanout.js';
import { type Logger } from './logger.js';
import type { Storage } from './storage/storage.js';
type StoreConfig = Pick<ServerConfig, 'dbPath' | 'databaseUrl' | 'databaseSchema' | 'redisUrl' | 'redisPrefix'>;
/** Postgres when `databaseUrl` is set (migrated under an advisory lock, so nodes may start together), else SQLite. */
export declare function openStorage(config: StoreConfig, logger: Logger): Promise<{
    storage: Storage;
    kind: 'postgres' | 'sqlite';
}>;
/** Redis when `redisUrl` is set, else in memory (one node). */
export declare function openFanout(config: StoreConfig, logger: Logger): Promise<{
    fanout: Fanout;
    kind: 'redis' | 'memory';
}>;
export {};
