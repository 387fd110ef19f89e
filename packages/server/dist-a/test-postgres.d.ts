import type { Storage } from './storage/storage.js';
export declare const DATABASE_URL: string | undefined;
/** A schema name dropped by dropTestSchemas(), for code that creates the schema itself (the CLI). */
export declare function nextTestSchema(): string;
/** A fresh, migrated Postgres storage in its own schema. */
export declare function postgresTestStorage(now?: () => number): Promise<Storage>;
export declare function dropTestSchemas(): Promise<void>;
