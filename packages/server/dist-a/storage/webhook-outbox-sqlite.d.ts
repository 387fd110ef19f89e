import type Database from 'better-sqlite3';
import type { WebhookOutboxStore } from './webhook-outbox-store.js';
/** Appended to sqlite.ts's MIGRATIONS. */
export declare const SQLITE_WEBHOOK_OUTBOX_MIGRATION = "\n  CREATE TABLE webhook_outbox (\n    id TEXT PRIMARY KEY,\n    url TEXT NOT NULL,\n    event TEXT NOT NULL,\n    body TEXT NOT NULL,\n    created_at INTEGER NOT NULL,\n    attempts INTEGER NOT NULL DEFAULT 0,\n    next_attempt_at INTEGER NOT NULL,\n    lease_owner TEXT,\n    lease_until INTEGER\n  );\n  CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at);\n  CREATE INDEX webhook_outbox_owner ON webhook_outbox (lease_owner);\n";
/** `run` is sqlite.ts's wrapper: a closed database or a driver error becomes STORAGE_UNAVAILABLE. */
export declare function createSqliteWebhookOutbox(db: Database.Database, run: <T>(body: () => T) => Promise<T>): WebhookOutboxStore;
