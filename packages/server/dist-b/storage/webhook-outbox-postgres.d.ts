import type pg from 'pg';
import type { WebhookOutboxStore } from './webhook-outbox-store.js';
/** Appended to postgres.ts's MIGRATIONS. */
export declare const POSTGRES_WEBHOOK_OUTBOX_MIGRATION = "\n  CREATE TABLE webhook_outbox (\n    id TEXT PRIMARY KEY,\n    url TEXT NOT NULL,\n    event TEXT NOT NULL,\n    body TEXT NOT NULL,\n    created_at BIGINT NOT NULL,\n    attempts INTEGER NOT NULL DEFAULT 0,\n    next_attempt_at BIGINT NOT NULL,\n    lease_owner TEXT,\n    lease_until BIGINT\n  );\n  CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at);\n  CREATE INDEX webhook_outbox_owner ON webhook_outbox (lease_owner);\n";
/** `query` is postgres.ts's: driver errors become STORAGE_UNAVAILABLE. */
export declare function createPostgresWebhookOutbox(query: <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<pg.QueryResult<R>>): WebhookOutboxStore;
