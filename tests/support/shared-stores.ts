// A fresh Postgres schema and Redis prefix per test file, and their removal: what the multi-node tests share.
// pg and ioredis are the server's dependencies, so they are loaded from there rather than added to the root.

import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

const serverRequire = createRequire(new URL('../../packages/server/package.json', import.meta.url));

interface PgClient {
  connect(): Promise<void>;
  query(text: string): Promise<unknown>;
  end(): Promise<void>;
}
interface RedisClient {
  scan(cursor: string, match: 'MATCH', pattern: string, count: 'COUNT', n: number): Promise<[string, string[]]>;
  del(...keys: string[]): Promise<number>;
  quit(): Promise<unknown>;
}

export const DATABASE_URL = process.env.DATABASE_URL;
export const REDIS_URL = process.env.REDIS_URL;

export interface SharedStores {
  schema: string;
  redisPrefix: string;
  /** Env for the bin: both nodes on the same schema and prefix. */
  env: Record<string, string>;
  /** Drops the schema and deletes any Redis key under the prefix. */
  dispose(): Promise<void>;
}

/** Names a schema and prefix no other run uses; nothing is created until a node starts and migrates. */
export function makeSharedStores(tag: string): SharedStores {
  if (DATABASE_URL === undefined || REDIS_URL === undefined) throw new Error('needs DATABASE_URL and REDIS_URL');
  const id = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const schema = `parley_${tag}_${id}`;
  const redisPrefix = `parley-test-${tag}-${id}:`;
  return {
    schema,
    redisPrefix,
    env: { DATABASE_URL, PARLEY_DATABASE_SCHEMA: schema, REDIS_URL, PARLEY_REDIS_PREFIX: redisPrefix },
    async dispose() {
      const { Client } = serverRequire('pg') as { Client: new (options: { connectionString: string }) => PgClient };
      const pg = new Client({ connectionString: DATABASE_URL });
      await pg.connect();
      try {
        await pg.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await pg.end();
      }
      // The fan-out uses pub/sub channels only; this sweeps keys in case a future adapter stores any.
      const { Redis } = serverRequire('ioredis') as { Redis: new (url: string) => RedisClient };
      const redis = new Redis(REDIS_URL!);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 500);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        await redis.quit();
      }
    },
  };
}
