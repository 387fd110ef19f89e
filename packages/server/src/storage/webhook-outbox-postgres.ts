// Postgres adapter of WebhookOutboxStore. Several nodes claim from one table: FOR UPDATE SKIP LOCKED lets each
// take rows nobody else is taking at that moment, and the lease columns keep them theirs after the claim commits.

import type pg from 'pg';
import type { WebhookDelivery, WebhookOutboxStore } from './webhook-outbox-store.js';

/** Appended to postgres.ts's MIGRATIONS. */
export const POSTGRES_WEBHOOK_OUTBOX_MIGRATION = `
  CREATE TABLE webhook_outbox (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT
  );
  CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at);
  CREATE INDEX webhook_outbox_owner ON webhook_outbox (lease_owner);
`;

type BigintText = string | number;

interface OutboxRow {
  id: string;
  url: string;
  event: string;
  body: string;
  created_at: BigintText;
  attempts: number;
  next_attempt_at: BigintText;
}

const toDelivery = (row: OutboxRow): WebhookDelivery => ({
  id: row.id,
  url: row.url,
  event: row.event,
  body: row.body,
  createdAt: Number(row.created_at),
  attempts: row.attempts,
});

/** `query` is postgres.ts's: driver errors become STORAGE_UNAVAILABLE. */
export function createPostgresWebhookOutbox(
  query: <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<pg.QueryResult<R>>,
): WebhookOutboxStore {
  return {
    async enqueueWebhooks(deliveries, lease, maxPending) {
      if (deliveries.length === 0) return 0;
      // One statement: the room left is read and used at once. Nodes enqueueing together may overshoot the bound
      // by one batch each, which is what it is for (a ceiling on a dead receiver's backlog), not an exact count.
      const { rowCount } = await query(
        `INSERT INTO webhook_outbox (id, url, event, body, created_at, attempts, next_attempt_at, lease_owner, lease_until)
         SELECT d.id, d.url, d.event, d.body, d.created_at, 0, d.created_at, $6, $7
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) WITH ORDINALITY AS d(id, url, event, body, created_at, i)
         WHERE d.i <= $8 - (SELECT count(*) FROM webhook_outbox)
         ON CONFLICT (id) DO NOTHING`,
        [
          deliveries.map((d) => d.id),
          deliveries.map((d) => d.url),
          deliveries.map((d) => d.event),
          deliveries.map((d) => d.body),
          deliveries.map((d) => d.createdAt),
          lease.owner,
          lease.until,
          maxPending,
        ],
      );
      return rowCount ?? 0;
    },
    async claimWebhooks({ urls, now, limit, lease }) {
      if (urls.length === 0 || limit <= 0) return [];
      const { rows } = await query<OutboxRow>(
        `UPDATE webhook_outbox o SET lease_owner = $1, lease_until = $2
         FROM (
           SELECT id FROM webhook_outbox
           WHERE url = ANY($3::text[]) AND next_attempt_at <= $4 AND (lease_until IS NULL OR lease_until <= $4)
           ORDER BY next_attempt_at, id LIMIT $5
           FOR UPDATE SKIP LOCKED
         ) due
         WHERE o.id = due.id
         RETURNING o.id, o.url, o.event, o.body, o.created_at, o.attempts, o.next_attempt_at`,
        [lease.owner, lease.until, urls, now, Math.floor(limit)],
      );
      // RETURNING gives rows in no promised order.
      return rows
        .sort((a, b) => Number(a.next_attempt_at) - Number(b.next_attempt_at) || (a.id < b.id ? -1 : 1))
        .map(toDelivery);
    },
    async finishWebhook(id, owner) {
      const { rowCount } = await query('DELETE FROM webhook_outbox WHERE id = $1 AND lease_owner = $2', [id, owner]);
      return rowCount === 1;
    },
    async retryWebhookLater(id, owner, attempts, nextAttemptAt) {
      const { rowCount } = await query(
        'UPDATE webhook_outbox SET attempts = $1, next_attempt_at = $2, lease_owner = NULL, lease_until = NULL WHERE id = $3 AND lease_owner = $4',
        [attempts, nextAttemptAt, id, owner],
      );
      return rowCount === 1;
    },
    async releaseWebhookLeases(owner) {
      const { rowCount } = await query('UPDATE webhook_outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1', [owner]);
      return rowCount ?? 0;
    },
    async countWebhooks() {
      const { rows } = await query<{ n: string }>('SELECT count(*) AS n FROM webhook_outbox');
      return Number(rows[0]!.n);
    },
  };
}
