// Opens the storage and fan-out a validated config asks for: SQLite or PostgreSQL, in-memory or Redis. Each
// adapter's factory runs its own migrations/handshake, so a bad URL fails here, at boot, not on the first frame.

import type { ServerConfig } from './config.js';
import type { Fanout } from './fanout/fanout.js';
import { createMemoryFanout } from './fanout/memory.js';
import { createRedisFanout } from './fanout/redis.js';
import { describeError, type Logger } from './logger.js';
import { createMemoryBudgets, createRedisBudgets, type SharedBudgets } from './shared-budgets.js';
import { createPostgresStorage } from './storage/postgres.js';
import { createSqliteStorage } from './storage/sqlite.js';
import type { Storage } from './storage/storage.js';

type StoreConfig = Pick<ServerConfig, 'dbPath' | 'databaseUrl' | 'databaseSchema' | 'redisUrl' | 'redisPrefix'>;

/** Postgres when `databaseUrl` is set (migrated under an advisory lock, so nodes may start together), else SQLite. */
export async function openStorage(config: StoreConfig, logger: Logger): Promise<{ storage: Storage; kind: 'postgres' | 'sqlite' }> {
  if (config.databaseUrl === undefined) {
    const storage = createSqliteStorage({ path: config.dbPath, onError: (err) => logger.error('storage.checkpoint_failed', describeError(err)) });
    return { storage, kind: 'sqlite' };
  }
  const storage = await createPostgresStorage({
    connectionString: config.databaseUrl,
    ...(config.databaseSchema === undefined ? {} : { schema: config.databaseSchema }),
    onError: (err) => logger.error('storage.connection_lost', describeError(err.cause)),
  });
  return { storage, kind: 'postgres' };
}

/** The budgets every node spends together (transcript e-mails): in Redis when `redisUrl` is set, else in memory. */
export async function openBudgets(config: StoreConfig, logger: Logger): Promise<SharedBudgets> {
  if (config.redisUrl === undefined) return createMemoryBudgets();
  return createRedisBudgets({ url: config.redisUrl, prefix: config.redisPrefix, onError: (err) => logger.error('budgets.error', describeError(err)) });
}

/** Redis when `redisUrl` is set, else in memory (one node). */
export async function openFanout(config: StoreConfig, logger: Logger): Promise<{ fanout: Fanout; kind: 'redis' | 'memory' }> {
  if (config.redisUrl === undefined) {
    const fanout = createMemoryFanout({ onListenerError: (err, topic) => logger.error('fanout.listener_failed', { topic, ...describeError(err) }) });
    return { fanout, kind: 'memory' };
  }
  const fanout = await createRedisFanout({
    url: config.redisUrl,
    prefix: config.redisPrefix,
    onError: (err, topic) => logger.error('fanout.error', { topic, ...describeError(err) }),
  });
  return { fanout, kind: 'redis' };
}
