// Postgres adapter of WebhookOutboxStore. Several nodes claim from one table: FOR UPDATE SKIP LOCKED lets each
// take rows nobody else is taking at that moment, and the lease columns keep them theirs after the claim commits.

import type pg from 'pg';
import type { NewWebhookDelivery, WebhookDelivery, WebhookLease, WebhookOutboxStore } from './webhook-outbox-store.js';

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

/**
 * Appended to postgres.ts's MIGRATIONS (after migration 7's parley_append_messages, which stays as it is): a batch of
 * messages and their webhook rows in one statement, so both commit together and the hot path keeps one round trip.
 * A row's body is known but for the message's seq, which the database hands out: the caller sends the JSON before
 * and after the seq, joined here for the messages that were actually stored ('new'); resends and refusals get none.
 */
export const POSTGRES_OUTBOX_APPEND_MIGRATION = `
  CREATE FUNCTION parley_append_messages_outbox(
    p_conversation_ids TEXT[], p_client_ids TEXT[], p_author_roles TEXT[], p_author_ids TEXT[], p_author_names TEXT[],
    p_kinds TEXT[], p_texts TEXT[], p_attachments JSONB[], p_quick_replies JSONB[], p_at BIGINT[],
    p_wh_index BIGINT[], p_wh_ids TEXT[], p_wh_urls TEXT[], p_wh_events TEXT[], p_wh_heads TEXT[], p_wh_tails TEXT[],
    p_wh_created BIGINT[], p_lease_owner TEXT, p_lease_until BIGINT
  ) RETURNS TABLE (
    o_index BIGINT, o_outcome TEXT, o_seq INTEGER, o_author_role TEXT, o_author_id TEXT, o_author_name TEXT,
    o_kind TEXT, o_text TEXT, o_attachments JSONB, o_quick_replies JSONB, o_at BIGINT
  ) LANGUAGE plpgsql AS $fn$
  BEGIN
    RETURN QUERY
    WITH appended AS MATERIALIZED (
      SELECT * FROM parley_append_messages(p_conversation_ids, p_client_ids, p_author_roles, p_author_ids, p_author_names,
                                           p_kinds, p_texts, p_attachments, p_quick_replies, p_at)
    ),
    hooks AS (
      INSERT INTO webhook_outbox (id, url, event, body, created_at, attempts, next_attempt_at, lease_owner, lease_until)
      SELECT w.id, w.url, w.event, w.head || a.o_seq::text || w.tail, w.created, 0, w.created, p_lease_owner, p_lease_until
      FROM unnest(p_wh_index, p_wh_ids, p_wh_urls, p_wh_events, p_wh_heads, p_wh_tails, p_wh_created)
             AS w(i, id, url, event, head, tail, created)
      JOIN appended a ON a.o_index = w.i AND a.o_outcome = 'new'
      ON CONFLICT (id) DO NOTHING
      RETURNING 1
    )
    SELECT appended.* FROM appended ORDER BY appended.o_index;
  END
  $fn$;
`;

/** Stores deliveries inside the caller's transaction (postgres.ts's write paths), leased to their node. */
export async function insertWebhookRows(client: pg.PoolClient, deliveries: readonly NewWebhookDelivery[], lease: WebhookLease): Promise<void> {
  await client.query(
    `INSERT INTO webhook_outbox (id, url, event, body, created_at, attempts, next_attempt_at, lease_owner, lease_until)
     SELECT d.id, d.url, d.event, d.body, d.created_at, 0, d.created_at, $6, $7
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) AS d(id, url, event, body, created_at)
     ON CONFLICT (id) DO NOTHING`,
    [
      deliveries.map((d) => d.id),
      deliveries.map((d) => d.url),
      deliveries.map((d) => d.event),
      deliveries.map((d) => d.body),
      deliveries.map((d) => d.createdAt),
      lease.owner,
      lease.until,
    ],
  );
}

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
): Omit<WebhookOutboxStore, 'setWebhookOutbox'> {
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
