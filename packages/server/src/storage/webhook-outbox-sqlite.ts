// SQLite adapter of WebhookOutboxStore. One writer per database file, so a claim is a plain UPDATE … RETURNING;
// leases still matter across a restart (a lease held by the dead process lapses and the new one claims it).
// Outbox writes commit with synchronous=NORMAL: no fsync on the event loop for each delivery's bookkeeping (that
// cost the message path most of its throughput with webhooks on). A crashed process loses none of them (the WAL is
// in the OS cache); a power cut may lose the last few, until the next fsynced commit, which message batches make
// every few milliseconds under load. Losing one means a webhook not sent or sent again (same id), never a message.

import type Database from 'better-sqlite3';
import type { DomainEvent } from '../domain-events.js';
import type { NewWebhookDelivery, WebhookDelivery, WebhookOutboxStore, WebhookOutboxWriter } from './webhook-outbox-store.js';

/** Appended to sqlite.ts's MIGRATIONS. */
export const SQLITE_WEBHOOK_OUTBOX_MIGRATION = `
  CREATE TABLE webhook_outbox (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER
  );
  CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at);
  CREATE INDEX webhook_outbox_owner ON webhook_outbox (lease_owner);
`;

interface OutboxRow {
  id: string;
  url: string;
  event: string;
  body: string;
  created_at: number;
  attempts: number;
}

const toDelivery = (row: OutboxRow): WebhookDelivery => ({
  id: row.id,
  url: row.url,
  event: row.event,
  body: row.body,
  createdAt: row.created_at,
  attempts: row.attempts,
});

/** `run` is sqlite.ts's wrapper: a closed database or a driver error becomes STORAGE_UNAVAILABLE. */
export function createSqliteWebhookOutbox(db: Database.Database, run: <T>(body: () => T) => Promise<T>): Omit<WebhookOutboxStore, 'setWebhookOutbox'> {
  const relaxed = db.prepare('PRAGMA synchronous = NORMAL');
  const full = db.prepare('PRAGMA synchronous = FULL');
  /** Runs one outbox write without an fsync, then restores FULL for every other write of the connection. */
  const unsynced = <T>(body: () => T): Promise<T> =>
    run(() => {
      relaxed.run();
      try {
        return body();
      } finally {
        full.run();
      }
    });
  const q = {
    count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM webhook_outbox'),
    insert: db.prepare(
      `INSERT INTO webhook_outbox (id, url, event, body, created_at, attempts, next_attempt_at, lease_owner, lease_until)
       VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    ),
    finish: db.prepare('DELETE FROM webhook_outbox WHERE id = ? AND lease_owner = ?'),
    retry: db.prepare(
      'UPDATE webhook_outbox SET attempts = ?, next_attempt_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?',
    ),
    release: db.prepare('UPDATE webhook_outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?'),
    // The URLs come from config, not from users; a JSON array keeps the list one bound parameter.
    claim: db.prepare<[string, number, string, number, number, number], OutboxRow & { next_attempt_at: number }>(
      `UPDATE webhook_outbox SET lease_owner = ?, lease_until = ?
       WHERE id IN (
         SELECT id FROM webhook_outbox
         WHERE url IN (SELECT value FROM json_each(?)) AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
         ORDER BY next_attempt_at, id LIMIT ?)
       RETURNING id, url, event, body, created_at, attempts, next_attempt_at`,
    ),
  };
  return {
    enqueueWebhooks: (deliveries, lease, maxPending) =>
      unsynced(() =>
        // IMMEDIATE, as every write here: a deferred one that counts first gets SQLITE_BUSY at once (no busy
        // timeout) when another process on the file holds the write lock.
        db.transaction(() => {
          let room = maxPending - q.count.get()!.n;
          let stored = 0;
          for (const d of deliveries) {
            if (room <= 0) break;
            const { changes } = q.insert.run(d.id, d.url, d.event, d.body, d.createdAt, d.createdAt, lease.owner, lease.until);
            stored += changes;
            room -= changes;
          }
          return stored;
        }).immediate(),
      ),
    claimWebhooks: ({ urls, now, limit, lease }) =>
      unsynced(() => {
        if (urls.length === 0 || limit <= 0) return [];
        const rows = q.claim.all(lease.owner, lease.until, JSON.stringify(urls), now, now, Math.floor(limit));
        // RETURNING gives rows in no promised order.
        return rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || (a.id < b.id ? -1 : 1)).map(toDelivery);
      }),
    finishWebhook: (id, owner) => unsynced(() => q.finish.run(id, owner).changes === 1),
    retryWebhookLater: (id, owner, attempts, nextAttemptAt) => unsynced(() => q.retry.run(attempts, nextAttemptAt, id, owner).changes === 1),
    releaseWebhookLeases: (owner) => unsynced(() => q.release.run(owner).changes),
    countWebhooks: () => run(() => q.count.get()!.n),
  };
}

/**
 * The outbox rows of a change, written by sqlite.ts inside that change's transaction. Everything runs synchronously
 * on one connection, so one list of rows written since the last commit is enough. With no writer set, write() is
 * one comparison: a server without webhooks pays nothing more.
 */
export interface SqliteOutboxStage {
  /** Returns the writer it replaces. */
  setWriter(writer: WebhookOutboxWriter | undefined): WebhookOutboxWriter | undefined;
  /** Inside a write transaction: stores the deliveries for `event`. */
  write(event: DomainEvent): void;
  /** The rows written since the last take or discard (the transaction committed). */
  take(): NewWebhookDelivery[];
  /** The transaction rolled back: its rows are gone. */
  discard(): void;
  /** Hands committed rows to the writer, to be attempted at once. */
  stored(deliveries: readonly NewWebhookDelivery[]): void;
}

export function createSqliteOutboxStage(db: Database.Database): SqliteOutboxStage {
  const insert = db.prepare(
    `INSERT INTO webhook_outbox (id, url, event, body, created_at, attempts, next_attempt_at, lease_owner, lease_until)
     VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
  );
  let writer: WebhookOutboxWriter | undefined;
  let staged: NewWebhookDelivery[] = [];
  return {
    setWriter(next) {
      const previous = writer;
      writer = next;
      return previous;
    },
    write(event) {
      if (writer === undefined) return;
      const deliveries = writer.deliveriesFor(event);
      if (deliveries.length === 0) return;
      const lease = writer.lease();
      for (const d of deliveries) insert.run(d.id, d.url, d.event, d.body, d.createdAt, d.createdAt, lease.owner, lease.until);
      staged.push(...deliveries);
    },
    take() {
      const taken = staged;
      staged = [];
      return taken;
    },
    discard() {
      staged = [];
    },
    stored(deliveries) {
      if (deliveries.length > 0) writer?.stored(deliveries);
    },
  };
}
