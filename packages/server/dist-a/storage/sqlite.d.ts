import type { Storage } from './storage.js';
export interface SqliteStorageOptions {
    /** A file path, or `:memory:`. The parent directory is created if missing. */
    path: string;
    now?: () => number;
    /** Failures off the request path (a WAL checkpoint); the storage keeps serving. Defaults to stderr. */
    onError?: (err: Error) => void;
}
export declare const SQLITE_SCHEMA_VERSION: number;
/**
 * Opens (creating if needed) a SQLite database and migrates it. Synchronous, so a server can be built in one call.
 * @example
 * const storage = createSqliteStorage({ path: './.parley-data/parley.db' });
 */
export declare function createSqliteStorage(options: SqliteStorageOptions): Storage;
