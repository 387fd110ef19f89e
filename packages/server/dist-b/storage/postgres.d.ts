import { ParleyError } from '@parley/protocol';
import type { Storage } from './storage.js';
export interface PostgresStorageOptions {
    /** e.g. `postgres://user@host:5432/db`. */
    connectionString: string;
    /**
     * Schema that holds Parley's tables (created if missing). Defaults to the connection's `search_path`
     * (normally `public`). Lowercase letters, digits and `_` only.
     */
    schema?: string;
    /** Pool connections per node. Default 10. */
    poolSize?: number;
    /** Milliseconds to wait for a free connection (or a new one) before failing with STORAGE_UNAVAILABLE. Default 5000. */
    connectionTimeoutMs?: number;
    now?: () => number;
    /**
     * Connections that die outside a query (server restart, network cut); the pool replaces them on next use, so
     * there is no caller to reject. Default: an `error` line on the JSON logger.
     */
    onError?: (err: ParleyError) => void;
}
export declare const POSTGRES_SCHEMA_VERSION: number;
/**
 * Connects a pool, migrates the schema (safe when several nodes start at once), and returns a Storage.
 * Rejects with `STORAGE_UNAVAILABLE` when the database cannot be reached.
 * @example
 * const storage = await createPostgresStorage({ connectionString: process.env.DATABASE_URL!, schema: 'parley' });
 */
export declare function createPostgresStorage(options: PostgresStorageOptions): Promise<Storage>;
