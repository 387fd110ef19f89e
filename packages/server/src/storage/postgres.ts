// Postgres adapter of Storage (node-postgres pool) with group commit for message inserts. Owns the Postgres schema
// and its migrations; must not know about sockets or frames, and must not let driver errors or types leak out.

import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  ParleyError,
  type AgentInfo,
  type Attachment,
  type Availability,
  type ConversationStatus,
  type EscalationReason,
  type Message,
  type MessageEventCode,
  type Note,
  type Role,
  type TranscriptItem,
  type VisitorProfile,
} from '@parley/protocol';
import { eventClientId, withEventCode } from './event-codes.js';
import {
  createPostgresWebhookOutbox,
  insertWebhookRows,
  POSTGRES_OUTBOX_APPEND_MIGRATION,
  POSTGRES_WEBHOOK_OUTBOX_MIGRATION,
} from './webhook-outbox-postgres.js';
import { assignedEvent, type DomainEvent } from '../domain-events.js';
import { createJsonLogger, describeError } from '../logger.js';
import { isRatingScale, toRatingScale } from '../rating-scale.js';
import { toPreChat } from '../site-settings.js';
import type {
  Agent,
  AgentRole,
  Conversation,
  ConversationDetail,
  ConversationSummary,
  PageVisit,
  MessagePage,
  NewMessage,
  QueuedConversation,
  Rating,
  RatingRecord,
  BusinessHours,
  Site,
  SiteTheme,
  Storage,
  Transition,
  Visitor,
} from './storage.js';
import type { AgentRecord, ErasureResult, RetentionResult } from './privacy-store.js';
import type { NewWebhookDelivery, WebhookOutboxWriter } from './webhook-outbox-store.js';
import type { AgentLoad, AssignNextResult, RequeuedConversation, TransferResult } from './routing-store.js';

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

/**
 * Each entry moves the schema one version forward. Append only: never edit a shipped migration. Version 1 already
 * holds everything SQLite reached in its version 2 (logins, sessions, pages), since no Postgres schema had shipped.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    allowed_origins JSONB NOT NULL,
    created_at BIGINT NOT NULL
  );
  CREATE TABLE visitors (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    created_at BIGINT NOT NULL
  );
  CREATE TABLE agents (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    avatar_url TEXT,
    token_hash TEXT NOT NULL UNIQUE,
    availability TEXT NOT NULL DEFAULT 'offline',
    email TEXT,
    password_hash TEXT,
    role TEXT NOT NULL DEFAULT 'agent',
    created_at BIGINT NOT NULL
  );
  CREATE UNIQUE INDEX agents_email ON agents (email) WHERE email IS NOT NULL;
  CREATE TABLE agent_sessions (
    token_hash TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL REFERENCES agents(id),
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX agent_sessions_expiry ON agent_sessions (expires_at);
  -- ord columns stand in for SQLite's rowid: insertion order breaks ties between equal millisecond timestamps.
  CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    ord BIGINT GENERATED ALWAYS AS IDENTITY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    visitor_id TEXT NOT NULL REFERENCES visitors(id),
    start_client_id TEXT NOT NULL,
    status TEXT NOT NULL,
    last_seq INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    profile JSONB NOT NULL DEFAULT '{}',
    agent_id TEXT REFERENCES agents(id),
    escalation_reason TEXT,
    transcript JSONB,
    queued_at BIGINT,
    visitor_read_seq INTEGER NOT NULL DEFAULT 0,
    agent_read_seq INTEGER NOT NULL DEFAULT 0,
    closed_at BIGINT,
    closed_by TEXT,
    close_reason TEXT,
    UNIQUE (visitor_id, start_client_id)
  );
  CREATE INDEX conversations_queue ON conversations (site_id, status, queued_at);
  CREATE INDEX conversations_history ON conversations (site_id, created_at DESC, ord DESC);
  CREATE TABLE messages (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    seq INTEGER NOT NULL,
    client_id TEXT NOT NULL,
    author_role TEXT NOT NULL,
    author_id TEXT NOT NULL,
    author_name TEXT,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    attachments JSONB,
    at BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, seq),
    UNIQUE (conversation_id, client_id)
  );
  CREATE TABLE ratings (
    conversation_id TEXT PRIMARY KEY REFERENCES conversations(id),
    ord BIGINT GENERATED ALWAYS AS IDENTITY,
    score INTEGER NOT NULL,
    comment TEXT,
    at BIGINT NOT NULL
  );
  CREATE INDEX ratings_at ON ratings (at);
  CREATE TABLE conversation_pages (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    ord BIGINT GENERATED ALWAYS AS IDENTITY,
    url TEXT NOT NULL,
    title TEXT,
    at BIGINT NOT NULL
  );
  CREATE INDEX conversation_pages_by_conversation ON conversation_pages (conversation_id, at, ord);
  INSERT INTO sites (id, key, allowed_origins, created_at) VALUES ('site_demo', 'demo', '["*"]', 0);
  `,
  // 2: per-site shopper identity verification (secret, required flag) and visitors bound to the site's user id.
  `
  ALTER TABLE sites ADD COLUMN identity_secret TEXT;
  ALTER TABLE sites ADD COLUMN requires_identity BOOLEAN NOT NULL DEFAULT FALSE;
  ALTER TABLE visitors ADD COLUMN external_id TEXT;
  CREATE UNIQUE INDEX visitors_external_id ON visitors (site_id, external_id) WHERE external_id IS NOT NULL;
  `,
  // 3: routing: agent capacity, presence leases per connection, assignment times (least loaded, longest idle, waits).
  `
  ALTER TABLE agents ADD COLUMN capacity INTEGER NOT NULL DEFAULT 3;
  ALTER TABLE agents ADD COLUMN last_assigned_at BIGINT;
  ALTER TABLE agents ADD COLUMN last_seen_at BIGINT;
  ALTER TABLE conversations ADD COLUMN assigned_at BIGINT;
  CREATE INDEX conversations_by_agent ON conversations (agent_id, status);
  CREATE TABLE agent_presence (
    connection_id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL,
    site_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    availability TEXT NOT NULL,
    connected_at BIGINT NOT NULL,
    seen_at BIGINT NOT NULL
  );
  CREATE INDEX agent_presence_by_agent ON agent_presence (agent_id, seen_at);
  CREATE INDEX agent_presence_by_site ON agent_presence (site_id, seen_at);
  CREATE INDEX agent_presence_by_node ON agent_presence (node_id);
  `,
  // 4: per-site business hours and widget theme, and the site's FAQ source.
  `
  ALTER TABLE sites ADD COLUMN business_hours JSONB;
  ALTER TABLE sites ADD COLUMN theme JSONB;
  CREATE TABLE site_faqs (
    site_id TEXT PRIMARY KEY REFERENCES sites(id),
    source TEXT NOT NULL,
    updated_at BIGINT NOT NULL
  );
  `,
  // 5: internal notes (agents only), outside the message seq; erased with their conversation.
  `
  CREATE TABLE notes (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    author_id TEXT NOT NULL,
    author_name TEXT,
    text TEXT NOT NULL,
    at BIGINT NOT NULL,
    ord BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (conversation_id, client_id)
  );
  CREATE INDEX notes_by_conversation ON notes (conversation_id, at, ord);
  `,
  // 6: quick replies an agent offers with a message (JSON list of strings).
  `
  ALTER TABLE messages ADD COLUMN quick_replies JSONB;
  `,
  // 7: one group-commit batch of messages in one statement (one round trip, its own transaction) instead of
  // BEGIN, four statements and COMMIT: the conversation row locks are held for a server-side moment rather than
  // six network round trips, which is what two nodes writing the same conversations wait on. Unqualified names
  // resolve against the caller's search_path (the schema option), like every other query of this adapter.
  `
  CREATE FUNCTION parley_append_messages(
    p_conversation_ids TEXT[], p_client_ids TEXT[], p_author_roles TEXT[], p_author_ids TEXT[], p_author_names TEXT[],
    p_kinds TEXT[], p_texts TEXT[], p_attachments JSONB[], p_quick_replies JSONB[], p_at BIGINT[]
  ) RETURNS TABLE (
    o_index BIGINT, o_outcome TEXT, o_seq INTEGER, o_author_role TEXT, o_author_id TEXT, o_author_name TEXT,
    o_kind TEXT, o_text TEXT, o_attachments JSONB, o_quick_replies JSONB, o_at BIGINT
  ) LANGUAGE plpgsql AS $fn$
  BEGIN
    -- In id order, so two nodes' batches cannot deadlock. FOR NO KEY UPDATE: the messages' foreign key takes
    -- KEY SHARE, which FOR UPDATE would block.
    PERFORM 1 FROM conversations WHERE id = ANY(p_conversation_ids) ORDER BY id FOR NO KEY UPDATE;
    -- A new statement, so a new snapshot: it sees what another node committed while this one waited for the locks.
    -- The caller sends each (conversation, client id) once.
    RETURN QUERY
    WITH input AS (
      SELECT u.* FROM unnest(p_conversation_ids, p_client_ids, p_author_roles, p_author_ids, p_author_names, p_kinds,
                             p_texts, p_attachments, p_quick_replies, p_at)
        WITH ORDINALITY AS u(cid, kid, role, aid, aname, kind, body, atts, quick, at, i)
    ),
    found AS (
      SELECT input.i, c.id IS NOT NULL AS has_conversation, c.status, c.last_seq, m.seq AS stored_seq,
             m.author_role, m.author_id, m.author_name, m.kind, m.text, m.attachments, m.quick_replies, m.at
      FROM input
      LEFT JOIN conversations c ON c.id = input.cid
      LEFT JOIN messages m ON m.conversation_id = input.cid AND m.client_id = input.kid
    ),
    fresh AS (
      SELECT input.*, (f.last_seq + row_number() OVER (PARTITION BY input.cid ORDER BY input.i))::INTEGER AS seq
      FROM input JOIN found f ON f.i = input.i
      WHERE f.has_conversation AND f.stored_seq IS NULL AND NOT (f.status = 'closed' AND input.kind = 'text')
    ),
    inserted AS (
      INSERT INTO messages (conversation_id, seq, client_id, author_role, author_id, author_name, kind, text, attachments,
                            quick_replies, at)
      SELECT cid, seq, kid, role, aid, aname, kind, body, atts, quick, at FROM fresh
      RETURNING 1
    ),
    bumped AS (
      UPDATE conversations c SET last_seq = v.top
      FROM (SELECT cid, max(seq) AS top FROM fresh GROUP BY cid) v
      WHERE c.id = v.cid
      RETURNING 1
    )
    SELECT f.i,
           CASE WHEN NOT f.has_conversation THEN 'not_found'
                WHEN f.stored_seq IS NOT NULL THEN 'stored'
                WHEN fresh.seq IS NULL THEN 'closed'
                ELSE 'new' END,
           coalesce(fresh.seq, f.stored_seq), f.author_role, f.author_id, f.author_name, f.kind, f.text,
           f.attachments, f.quick_replies, f.at
    FROM found f LEFT JOIN fresh ON fresh.i = f.i
    ORDER BY f.i;
  END
  $fn$;
  `,
  // 8: the site's rating scale (NULL: csat), and the scale each rating was given on.
  `
  ALTER TABLE sites ADD COLUMN rating_scale TEXT;
  ALTER TABLE ratings ADD COLUMN scale TEXT NOT NULL DEFAULT 'csat';
  `,
  // 9: the webhook outbox (webhook-outbox-postgres.ts).
  POSTGRES_WEBHOOK_OUTBOX_MIGRATION,
  // 10: the widget's pre-chat form per site (JSON list of fields).
  `
  ALTER TABLE sites ADD COLUMN pre_chat JSONB;
  `,
  // 11: a message batch and its webhook rows in one statement (webhook-outbox-postgres.ts).
  POSTGRES_OUTBOX_APPEND_MIGRATION,
];

export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;

/** A query on the pool or on one transaction's client. */
type Exec = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<pg.QueryResult<R>>;

/** The seq a webhook body is built with before the database hands out the real one (see messageHooks). */
const SEQ_MARK = -2147483648;
const SEQ_JSON = `"seq":${SEQ_MARK}`;

/** Upper bound on appends per group-commit transaction, so one huge burst doesn't hold row locks for long. */
const MAX_BATCH = 500;
/** Deadlock / serialization failures are transient by definition: the loser may simply run again. */
const RETRYABLE_SQLSTATES = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 3;

// BIGINT columns (epoch ms) arrive as strings from pg; INTEGER columns arrive as numbers.
type BigintText = string | number;

const NOTE_COLUMNS = 'conversation_id, client_id, author_id, author_name, text, at';

interface NoteRow {
  conversation_id: string;
  client_id: string;
  author_id: string;
  author_name: string | null;
  text: string;
  at: BigintText;
}

interface ConversationRow {
  id: string;
  site_id: string;
  visitor_id: string;
  status: string;
  last_seq: number;
  created_at: BigintText;
  profile: unknown;
  agent_id: string | null;
  agent_name: string | null;
  agent_avatar_url: string | null;
  escalation_reason: string | null;
  queued_at: BigintText | null;
  visitor_read_seq: number;
  agent_read_seq: number;
}

interface MessageRow {
  conversation_id: string;
  seq: number;
  client_id: string;
  author_role: string;
  author_id: string;
  author_name: string | null;
  kind: string;
  text: string;
  attachments: unknown;
  quick_replies: unknown;
  at: BigintText;
}

const STATUSES: readonly ConversationStatus[] = ['bot', 'queued', 'assigned', 'closed', 'offline'];

interface AgentRow {
  id: string;
  site_id: string;
  name: string;
  avatar_url: string | null;
  availability: string;
  role: string;
  email: string | null;
}

const AGENT_COLUMNS = 'a.id, a.site_id, a.name, a.avatar_url, a.availability, a.role, a.email';

function toAgent(row: AgentRow): Agent {
  const agent: Agent = {
    id: row.id,
    siteId: row.site_id,
    name: row.name,
    availability: row.availability as Availability,
    role: row.role === 'admin' ? 'admin' : 'agent',
  };
  if (row.avatar_url !== null) agent.avatarUrl = row.avatar_url;
  if (row.email !== null) agent.email = row.email;
  return agent;
}

/** `%`, `_` and the escape character itself are literal in a search term. */
function likePattern(term: string): string {
  return `%${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function unavailable(cause: unknown): ParleyError {
  return new ParleyError('STORAGE_UNAVAILABLE', 'the database is unavailable', { cause, retryable: true });
}

/** Driver errors become STORAGE_UNAVAILABLE; only the SQLSTATE travels in details, never the driver's message. */
function toStorageError(err: unknown): ParleyError {
  if (err instanceof ParleyError) return err;
  const sqlState = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : undefined;
  // Class 22 (data exception, e.g. a NUL byte in TEXT) and 23 (integrity constraint): the same write will be
  // refused again, so retrying is pointless.
  if (sqlState !== undefined && (sqlState.startsWith('22') || sqlState.startsWith('23'))) {
    return new ParleyError('STORAGE_UNAVAILABLE', 'the database refused the write', {
      cause: err,
      retryable: false,
      details: { sqlState },
    });
  }
  return new ParleyError('STORAGE_UNAVAILABLE', 'the database is unavailable', {
    cause: err,
    retryable: true,
    ...(sqlState === undefined ? {} : { details: { sqlState } }),
  });
}

function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([key, item]) => key.includes('\u0000') || containsNul(item));
}

function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && RETRYABLE_SQLSTATES.has(code);
}

/** Rows are a boundary: a JSONB column of the wrong shape becomes STORAGE_UNAVAILABLE, not a crash in a handler. */
function jsonObject<T>(value: unknown, fallback: T): T {
  if (value === null || value === undefined) return fallback;
  if (typeof value !== 'object') throw unavailable(new Error('bad JSON column'));
  return value as T;
}

function jsonArray<T>(value: unknown): T[] | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Array.isArray(value)) throw unavailable(new Error('bad JSON column'));
  return value as T[];
}

function toNote(row: NoteRow): Note {
  const author: Note['author'] = { role: 'agent', id: row.author_id };
  if (row.author_name !== null) author.name = row.author_name;
  return { conversationId: row.conversation_id, clientId: row.client_id, author, text: row.text, at: toInt(row.at) };
}

function toInt(value: BigintText): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw unavailable(new Error(`bad integer ${String(value)}`));
  return n;
}

function toConversation(row: ConversationRow): Conversation {
  if (!STATUSES.includes(row.status as ConversationStatus)) throw unavailable(new Error(`bad status ${row.status}`));
  const conversation: Conversation = {
    id: row.id,
    siteId: row.site_id,
    visitorId: row.visitor_id,
    status: row.status as ConversationStatus,
    lastSeq: row.last_seq,
    createdAt: toInt(row.created_at),
    profile: jsonObject<VisitorProfile>(row.profile, {}),
    visitorReadSeq: row.visitor_read_seq,
    agentReadSeq: row.agent_read_seq,
  };
  if (row.agent_id !== null) {
    conversation.agent = { id: row.agent_id, name: row.agent_name ?? '' };
    if (row.agent_avatar_url !== null) conversation.agent.avatarUrl = row.agent_avatar_url;
  }
  if (row.escalation_reason !== null) conversation.escalationReason = row.escalation_reason as EscalationReason;
  if (row.queued_at !== null) conversation.queuedAt = toInt(row.queued_at);
  return conversation;
}

function toMessage(row: MessageRow): Message {
  const message: Message = {
    conversationId: row.conversation_id,
    seq: row.seq,
    clientId: row.client_id,
    author: { role: row.author_role as Message['author']['role'], id: row.author_id },
    kind: row.kind as Message['kind'],
    text: row.text,
    at: toInt(row.at),
  };
  if (row.author_name !== null) message.author.name = row.author_name;
  const attachments = jsonArray<Attachment>(row.attachments);
  if (attachments !== undefined) message.attachments = attachments;
  const quickReplies = jsonArray<string>(row.quick_replies);
  if (quickReplies !== undefined) message.quickReplies = quickReplies;
  return withEventCode(message);
}

const SITE_COLUMNS = 'id, key, allowed_origins, identity_secret, requires_identity, business_hours, theme, rating_scale, pre_chat';

interface SiteRow {
  id: string;
  key: string;
  allowed_origins: unknown;
  identity_secret: string | null;
  requires_identity: boolean;
  business_hours: unknown;
  theme: unknown;
  rating_scale: string | null;
  pre_chat: unknown;
}


function toSite(row: SiteRow): Site {
  const site: Site = {
    id: row.id,
    key: row.key,
    allowedOrigins: jsonArray<string>(row.allowed_origins) ?? [],
    requiresIdentity: row.requires_identity === true,
  };
  if (row.identity_secret !== null) site.identitySecret = row.identity_secret;
  const hours = jsonObject<BusinessHours | null>(row.business_hours, null);
  if (hours !== null) site.businessHours = hours;
  const theme = jsonObject<SiteTheme | null>(row.theme, null);
  if (theme !== null) site.theme = theme;
  if (isRatingScale(row.rating_scale)) site.ratingScale = row.rating_scale;
  const preChat = toPreChat(row.pre_chat);
  if (preChat !== undefined) site.preChat = preChat;
  return site;
}

const VISITOR_COLUMNS = 'id, site_id, created_at, external_id';

interface VisitorRow {
  id: string;
  site_id: string;
  created_at: BigintText;
  external_id: string | null;
}

function toVisitor(row: VisitorRow): Visitor {
  const visitor: Visitor = { id: row.id, siteId: row.site_id, createdAt: toInt(row.created_at) };
  if (row.external_id !== null) visitor.externalId = row.external_id;
  return visitor;
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof ParleyError && err.details?.sqlState === '23505';
}

const CONVERSATION_SELECT = `
  SELECT c.id, c.site_id, c.visitor_id, c.status, c.last_seq, c.created_at, c.profile, c.agent_id,
         a.name AS agent_name, a.avatar_url AS agent_avatar_url, c.escalation_reason, c.queued_at,
         c.visitor_read_seq, c.agent_read_seq
  FROM conversations c LEFT JOIN agents a ON a.id = c.agent_id`;

const MESSAGE_COLUMNS = 'conversation_id, seq, client_id, author_role, author_id, author_name, kind, text, attachments, quick_replies, at';

type Queryable = Pick<pg.PoolClient, 'query'>;

interface PendingAppend {
  input: NewMessage;
  resolve: (value: { message: Message; duplicate: boolean }) => void;
  reject: (err: unknown) => void;
}

type Outcome = { ok: true; value: { message: Message; duplicate: boolean } } | { ok: false; error: ParleyError };

/** One row of parley_append_messages, in input order; the message columns are set for a stored resend only. */
interface AppendRow {
  o_index: BigintText;
  o_outcome: string;
  o_seq: number | null;
  o_author_role: string | null;
  o_author_id: string | null;
  o_author_name: string | null;
  o_kind: string | null;
  o_text: string | null;
  o_attachments: unknown;
  o_quick_replies: unknown;
  o_at: BigintText | null;
}

/**
 * Connects a pool, migrates the schema (safe when several nodes start at once), and returns a Storage.
 * Rejects with `STORAGE_UNAVAILABLE` when the database cannot be reached.
 * @example
 * const storage = await createPostgresStorage({ connectionString: process.env.DATABASE_URL!, schema: 'parley' });
 */
export async function createPostgresStorage(options: PostgresStorageOptions): Promise<Storage> {
  const now = options.now ?? Date.now;
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new ParleyError(
      'CONFIG_INVALID',
      `postgres schema "${options.schema}" is not allowed: use lowercase letters, digits and _ (at most 63)`,
    );
  }
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
    // Set per connection, so every query of this pool (and nothing else in the process) sees our schema.
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  // An idle client that dies emits on the pool; without a listener Node would crash the process. The pool drops
  // the client and the next query opens a new one, so reporting is all there is to do.
  const reportConnectionError =
    options.onError ?? ((err: ParleyError) => createJsonLogger().error('storage.connection_lost', describeError(err.cause)));
  pool.on('error', (err) => reportConnectionError(toStorageError(err)));
  // The pool listens only while a client is idle. A connection that dies while checked out (between two queries of
  // a transaction, or just handed out) would otherwise emit an unhandled 'error' and crash the process; the query
  // in progress rejects on its own and the broken client is destroyed on release.
  pool.on('connect', (client) => client.on('error', (err) => reportConnectionError(toStorageError(err))));

  try {
    await migrate(pool, options.schema);
  } catch (err) {
    await pool.end().catch(() => {
      // The pool is being abandoned because of `err`, which is what the caller gets; a second failure adds nothing.
    });
    throw toStorageError(err);
  }

  let isClosed = false;
  /** Set by the server that owns the webhooks; undefined: writes carry no outbox rows and pay nothing for them. */
  let outboxWriter: WebhookOutboxWriter | undefined;

  function guard(): void {
    if (isClosed) throw unavailable(new Error('storage closed'));
  }

  /** Runs one query outside a transaction, mapping driver errors. */
  async function query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    guard();
    try {
      return await pool.query<R>(text, values);
    } catch (err) {
      throw toStorageError(err);
    }
  }

  /** BEGIN … COMMIT on one pool client; resolves only after COMMIT. Deadlock victims run again. */
  async function inTransaction<T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    guard();
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw toStorageError(err);
      }
      let releaseError: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await body(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackErr) {
          // The connection is broken; destroy it rather than return it to the pool. `err` is what we report.
          releaseError = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
        }
        if (attempt < MAX_ATTEMPTS && isRetryable(err)) continue;
        throw toStorageError(err);
      } finally {
        client.release(releaseError);
      }
    }
  }

  async function getConversationWith(db: Queryable, id: string): Promise<Conversation | undefined> {
    const { rows } = await db.query<ConversationRow>(`${CONVERSATION_SELECT} WHERE c.id = $1`, [id]);
    return rows[0] === undefined ? undefined : toConversation(rows[0]);
  }

  async function messageByClientId(db: Queryable, conversationId: string, clientId: string): Promise<Message | undefined> {
    const { rows } = await db.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND client_id = $2`,
      [conversationId, clientId],
    );
    return rows[0] === undefined ? undefined : toMessage(rows[0]);
  }

  /** Inserts a message with a seq the caller already reserved under the conversation's row lock. */
  async function insertMessage(db: Queryable, input: NewMessage, seq: number): Promise<Message | undefined> {
    const at = now();
    // ON CONFLICT on the dedup key only: a (conversation, seq) clash would be a bug and must surface as an error.
    const { rowCount } = await db.query(
      `INSERT INTO messages (${MESSAGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (conversation_id, client_id) DO NOTHING`,
      [
        input.conversationId,
        seq,
        input.clientId,
        input.author.role,
        input.author.id,
        input.author.name ?? null,
        input.kind,
        input.text,
        input.attachments === undefined ? null : JSON.stringify(input.attachments),
        input.quickReplies === undefined ? null : JSON.stringify(input.quickReplies),
        at,
      ],
    );
    if (rowCount !== 1) return undefined;
    return newMessage(input, seq, at);
  }

  function messageKey(conversationId: string, clientId: string): string {
    return `${conversationId}\u0000${clientId}`;
  }

  function newMessage(input: NewMessage, seq: number, at: number): Message {
    const message: Message = {
      conversationId: input.conversationId,
      seq,
      clientId: input.clientId,
      author: { ...input.author },
      kind: input.kind,
      text: input.text,
      at,
    };
    if (input.attachments !== undefined) message.attachments = input.attachments;
    if (input.quickReplies !== undefined) message.quickReplies = input.quickReplies;
    return withEventCode(message);
  }

  /** Runs one statement (its own transaction) again when it lost a deadlock or a serialization check. */
  async function queryRetrying<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    guard();
    for (let attempt = 1; ; attempt++) {
      try {
        return await pool.query<R>(text, values);
      } catch (err) {
        if (attempt < MAX_ATTEMPTS && isRetryable(err)) continue;
        throw toStorageError(err);
      }
    }
  }

  /**
   * The webhook rows of a batch, asked for every message (which ones are new is known only in the database): each
   * body split around the seq, for parley_append_messages_outbox to join with the seq it hands out.
   */
  function messageHooks(writer: WebhookOutboxWriter, firsts: readonly NewMessage[], at: number) {
    const index: number[] = [];
    const parts: Array<{ delivery: NewWebhookDelivery; head: string; tail: string }> = [];
    // Refused by a full outbox: reported as dropped only for messages the database stores (not a resend, not a
    // message to a closed conversation).
    const refusedBy: NewWebhookDelivery[][] = [];
    firsts.forEach((input, i) => {
      const refused: NewWebhookDelivery[] = [];
      refusedBy.push(refused);
      for (const delivery of writer.deliveriesFor({ type: 'message.created', message: newMessage(input, SEQ_MARK, at) }, refused)) {
        // The first "seq" in the body is the message's: only the conversation id (a string) comes before it.
        const cut = delivery.body.indexOf(SEQ_JSON);
        if (cut < 0) continue;
        index.push(i + 1);
        parts.push({ delivery, head: delivery.body.slice(0, cut + '"seq":'.length), tail: delivery.body.slice(cut + SEQ_JSON.length) });
      }
    });
    return {
      columns: () => [
        index,
        parts.map((p) => p.delivery.id),
        parts.map((p) => p.delivery.url),
        parts.map((p) => p.delivery.event),
        parts.map((p) => p.head),
        parts.map((p) => p.tail),
        parts.map((p) => p.delivery.createdAt),
      ],
      /** The rows the database wrote: those of messages it stored ('new'), with their seq in the body. */
      storedFor: (rows: readonly AppendRow[]): NewWebhookDelivery[] =>
        parts.flatMap((p, k) => {
          const row = rows[index[k]! - 1];
          return row?.o_outcome === 'new' ? [{ ...p.delivery, body: `${p.head}${row.o_seq}${p.tail}` }] : [];
        }),
      /** The refused deliveries of messages the database stored. */
      refusedFor: (rows: readonly AppendRow[]): NewWebhookDelivery[] => refusedBy.flatMap((refused, i) => (rows[i]?.o_outcome === 'new' ? refused : [])),
    };
  }

  /**
   * transact() (or inTransaction()), with the change's webhook rows written by `stage` in the same transaction and
   * handed to the writer after COMMIT. A deadlock retry runs the body again, so the rows are collected per attempt.
   */
  async function withOutbox<T>(
    tx: <R>(body: (client: pg.PoolClient) => Promise<R>) => Promise<R>,
    body: (client: pg.PoolClient, stage: (event: DomainEvent) => Promise<void>) => Promise<T>,
  ): Promise<T> {
    const writer = outboxWriter;
    let staged: NewWebhookDelivery[] = [];
    const result = await tx(async (client) => {
      staged = [];
      return body(client, async (event) => {
        if (writer === undefined) return;
        const deliveries = writer.deliveriesFor(event);
        if (deliveries.length === 0) return;
        await insertWebhookRows(client, deliveries, writer.lease());
        staged.push(...deliveries);
      });
    });
    if (staged.length > 0) writer?.stored(staged);
    return result;
  }

  /** What parley_append_messages says about one message. */
  function toOutcome(input: NewMessage, row: AppendRow, at: number): Outcome {
    switch (row.o_outcome) {
      case 'new':
        return { ok: true, value: { message: newMessage(input, row.o_seq!, at), duplicate: false } };
      case 'stored':
        // A resend of a message stored earlier (before a close, too) is acknowledged again, as in sqlite.ts.
        return {
          ok: true,
          value: {
            message: toMessage({
              conversation_id: input.conversationId,
              seq: row.o_seq!,
              client_id: input.clientId,
              author_role: row.o_author_role!,
              author_id: row.o_author_id!,
              author_name: row.o_author_name,
              kind: row.o_kind!,
              text: row.o_text!,
              attachments: row.o_attachments,
              quick_replies: row.o_quick_replies,
              at: row.o_at!,
            }),
            duplicate: true,
          },
        };
      case 'not_found':
        return { ok: false, error: new ParleyError('CONVERSATION_NOT_FOUND', 'no such conversation') };
      case 'closed':
        return { ok: false, error: new ParleyError('CONVERSATION_CLOSED', 'the conversation is closed') };
      default:
        return { ok: false, error: unavailable(new Error(`unknown append outcome ${String(row.o_outcome)}`)) };
    }
  }

  /**
   * One group-commit batch in one round trip: parley_append_messages (migration 7) locks the conversations, finds
   * resends, hands out seqs in arrival order, inserts, and writes last_seq once per conversation, all in the
   * statement's own transaction. A clientId sent twice in one batch goes to the database once; the second copy gets
   * the first's outcome, as a duplicate.
   */
  async function commitBatch(batch: PendingAppend[]): Promise<void> {
    const firsts: NewMessage[] = [];
    const firstOf = new Map<string, number>();
    const slots = batch.map(({ input }) => {
      const key = messageKey(input.conversationId, input.clientId);
      let slot = firstOf.get(key);
      if (slot === undefined) {
        slot = firsts.push(input) - 1;
        firstOf.set(key, slot);
      }
      return slot;
    });
    const at = now();
    const writer = outboxWriter;
    const hooks = writer === undefined ? undefined : messageHooks(writer, firsts, at);
    let rows: AppendRow[];
    try {
      const values: unknown[] = [
        firsts.map((m) => m.conversationId),
        firsts.map((m) => m.clientId),
        firsts.map((m) => m.author.role),
        firsts.map((m) => m.author.id),
        firsts.map((m) => m.author.name ?? null),
        firsts.map((m) => m.kind),
        firsts.map((m) => m.text),
        firsts.map((m) => (m.attachments === undefined ? null : JSON.stringify(m.attachments))),
        firsts.map((m) => (m.quickReplies === undefined ? null : JSON.stringify(m.quickReplies))),
        firsts.map(() => at),
      ];
      ({ rows } = await (hooks === undefined || writer === undefined
        ? queryRetrying<AppendRow>('SELECT * FROM parley_append_messages($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', values)
        : queryRetrying<AppendRow>(
            `SELECT * FROM parley_append_messages_outbox($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
               $17, $18, $19)`,
            [...values, ...hooks.columns(), writer.lease().owner, writer.lease().until],
          )));
      if (rows.length !== firsts.length) throw unavailable(new Error('the append returned fewer outcomes than it was given'));
    } catch (err) {
      const error = toStorageError(err);
      for (const item of batch) item.reject(error);
      return;
    }
    const outcomes = rows.map((row, i) => toOutcome(firsts[i]!, row, at));
    if (hooks !== undefined) {
      writer?.stored(hooks.storedFor(rows));
      writer?.dropped(hooks.refusedFor(rows));
    }
    // Resolved only after the statement's COMMIT, so every outcome here is durable. (If only the reply is lost, the
    // batch rejects though its rows may be stored; the client's resend then gets duplicate: true.)
    batch.forEach((item, i) => {
      const slot = slots[i]!;
      const outcome = outcomes[slot]!;
      if (!outcome.ok) item.reject(outcome.error);
      else item.resolve(firsts[slot] === item.input ? outcome.value : { message: outcome.value.message, duplicate: true });
    });
  }

  // Group commit: one batch in flight per node. Appends that arrive while it commits form the next batch, which
  // keeps seqs in arrival order on this node and turns N round-trip commits into one.
  let pending: PendingAppend[] = [];
  let flushing: Promise<void> | undefined;

  function startFlush(): Promise<void> {
    flushing ??= (async () => {
      // Let the rest of this event-loop turn queue its appends, as sqlite.ts does with setImmediate.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (pending.length > 0) {
        const batch = pending.slice(0, MAX_BATCH);
        pending = pending.slice(MAX_BATCH);
        await commitBatch(batch);
      }
    })().finally(() => {
      flushing = undefined;
      // An append may have arrived between the loop's last check and this callback.
      if (pending.length > 0) void startFlush();
    });
    return flushing;
  }

  async function settleAppends(): Promise<void> {
    while (flushing !== undefined || pending.length > 0) await startFlush();
  }

  /** A write outside the group-commit queue (assign, close): earlier appends commit first so seqs keep arrival order. */
  async function transact<T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    guard();
    if (flushing !== undefined || pending.length > 0) await startFlush();
    return inTransaction(body);
  }

  async function writeEvent(client: pg.PoolClient, conversationId: string, author: Message['author'], text: string, seq: number, code: MessageEventCode) {
    const event = await insertMessage(client, { conversationId, clientId: eventClientId(code), author, kind: 'event', text }, seq);
    if (event === undefined) throw unavailable(new Error('event clientId collided'));
    return event;
  }

  /** ON CONFLICT makes two concurrent starts with the same clientId (two tabs, two nodes) create one row. */
  async function startWith(exec: Exec, input: Parameters<Storage['startConversation']>[0]) {
    const inserted = await exec(
      `INSERT INTO conversations (id, site_id, visitor_id, start_client_id, status, created_at, profile)
       VALUES ($1, $2, $3, $4, 'bot', $5, $6) ON CONFLICT (visitor_id, start_client_id) DO NOTHING`,
      [`c_${randomUUID()}`, input.siteId, input.visitorId, input.clientId, now(), JSON.stringify(input.profile ?? {})],
    );
    const { rows } = await exec<ConversationRow>(
      `${CONVERSATION_SELECT} WHERE c.visitor_id = $1 AND c.start_client_id = $2`,
      [input.visitorId, input.clientId],
    );
    if (rows[0] === undefined) throw unavailable(new Error('conversation vanished after insert'));
    return { conversation: toConversation(rows[0]), created: inserted.rowCount === 1 };
  }

  async function rateWith(exec: Exec, input: Parameters<Storage['rate']>[0]) {
    const inserted = await exec(
      'INSERT INTO ratings (conversation_id, score, scale, comment, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (conversation_id) DO NOTHING',
      [input.conversationId, input.score, input.scale ?? 'csat', input.comment ?? null, now()],
    );
    const { rows } = await exec<{ conversation_id: string; score: number; scale: string; comment: string | null; at: BigintText }>(
      'SELECT conversation_id, score, scale, comment, at FROM ratings WHERE conversation_id = $1',
      [input.conversationId],
    );
    const row = rows[0];
    if (row === undefined) throw unavailable(new Error('rating vanished after insert'));
    const rating: Rating = { conversationId: row.conversation_id, score: row.score, scale: toRatingScale(row.scale), at: toInt(row.at) };
    if (row.comment !== null) rating.comment = row.comment;
    return { rating, created: inserted.rowCount === 1 };
  }

  const storage: Storage = {
    ...createPostgresWebhookOutbox(query),
    setWebhookOutbox(writer) {
      const previous = outboxWriter;
      outboxWriter = writer;
      return previous;
    },
    async getSiteByKey(key) {
      const { rows } = await query<SiteRow>(`SELECT ${SITE_COLUMNS} FROM sites WHERE key = $1`, [key]);
      return rows[0] === undefined ? undefined : toSite(rows[0]);
    },
    async getSite(id) {
      const { rows } = await query<SiteRow>(`SELECT ${SITE_COLUMNS} FROM sites WHERE id = $1`, [id]);
      return rows[0] === undefined ? undefined : toSite(rows[0]);
    },
    async createSite(input) {
      const site: Site = { id: `site_${randomUUID()}`, key: input.key, allowedOrigins: [...input.allowedOrigins], requiresIdentity: input.requiresIdentity ?? false };
      if (input.identitySecret !== undefined) site.identitySecret = input.identitySecret;
      if (input.businessHours !== undefined) site.businessHours = input.businessHours;
      if (input.theme !== undefined) site.theme = input.theme;
      if (input.ratingScale !== undefined) site.ratingScale = input.ratingScale;
      if (input.preChat?.length) site.preChat = [...input.preChat];
      const { rowCount } = await query(
        `INSERT INTO sites (id, key, allowed_origins, identity_secret, requires_identity, business_hours, theme, created_at, rating_scale, pre_chat)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10::jsonb) ON CONFLICT (key) DO NOTHING`,
        [
          site.id,
          site.key,
          JSON.stringify(site.allowedOrigins),
          site.identitySecret ?? null,
          site.requiresIdentity,
          site.businessHours === undefined ? null : JSON.stringify(site.businessHours),
          site.theme === undefined ? null : JSON.stringify(site.theme),
          now(),
          site.ratingScale ?? null,
          site.preChat === undefined ? null : JSON.stringify(site.preChat),
        ],
      );
      if (rowCount !== 1) throw new ParleyError('STORAGE_CONFLICT', `the site key "${input.key}" is taken`);
      return site;
    },
    async updateSite(id, patch) {
      // COALESCE keeps what the patch leaves out; identity_secret distinguishes "leave" ($5 false) from "set to null".
      const { rows } = await query<SiteRow>(
        `UPDATE sites SET allowed_origins = COALESCE($2::jsonb, allowed_origins),
                          identity_secret = CASE WHEN $5 THEN $3 ELSE identity_secret END,
                          requires_identity = COALESCE($4, requires_identity),
                          business_hours = CASE WHEN $7 THEN $6::jsonb ELSE business_hours END,
                          theme = CASE WHEN $9 THEN $8::jsonb ELSE theme END,
                          rating_scale = CASE WHEN $11 THEN $10 ELSE rating_scale END,
                          pre_chat = CASE WHEN $13 THEN $12::jsonb ELSE pre_chat END
         WHERE id = $1 RETURNING ${SITE_COLUMNS}`,
        [
          id,
          patch.allowedOrigins === undefined ? null : JSON.stringify(patch.allowedOrigins),
          patch.identitySecret ?? null,
          patch.requiresIdentity ?? null,
          patch.identitySecret !== undefined,
          patch.businessHours == null ? null : JSON.stringify(patch.businessHours),
          patch.businessHours !== undefined,
          patch.theme == null ? null : JSON.stringify(patch.theme),
          patch.theme !== undefined,
          patch.ratingScale ?? null,
          patch.ratingScale !== undefined,
          patch.preChat?.length ? JSON.stringify(patch.preChat) : null,
          patch.preChat !== undefined,
        ],
      );
      return rows[0] === undefined ? undefined : toSite(rows[0]);
    },
    async listSites() {
      const { rows } = await query<SiteRow>(`SELECT ${SITE_COLUMNS} FROM sites ORDER BY created_at ASC, id ASC`);
      return rows.map(toSite);
    },
    async getSiteFaq(siteId) {
      const { rows } = await query<{ site_id: string; source: string; updated_at: BigintText }>(
        'SELECT site_id, source, updated_at FROM site_faqs WHERE site_id = $1',
        [siteId],
      );
      const row = rows[0];
      return row === undefined ? undefined : { siteId: row.site_id, source: row.source, updatedAt: toInt(row.updated_at) };
    },
    async putSiteFaq({ siteId, source }) {
      const faq = { siteId, source, updatedAt: now() };
      await query(
        `INSERT INTO site_faqs (site_id, source, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (site_id) DO UPDATE SET source = EXCLUDED.source, updated_at = EXCLUDED.updated_at`,
        [faq.siteId, faq.source, faq.updatedAt],
      );
      return faq;
    },
    async getDefaultSite() {
      const site = await storage.getSiteByKey('demo');
      if (site === undefined) throw unavailable(new Error('default site missing'));
      return site;
    },

    async createVisitor(siteId) {
      const visitor: Visitor = { id: `v_${randomUUID()}`, siteId, createdAt: now() };
      await query('INSERT INTO visitors (id, site_id, created_at) VALUES ($1, $2, $3)', [visitor.id, siteId, visitor.createdAt]);
      return visitor;
    },
    async getVisitor(id) {
      const { rows } = await query<VisitorRow>(`SELECT ${VISITOR_COLUMNS} FROM visitors WHERE id = $1`, [id]);
      return rows[0] === undefined ? undefined : toVisitor(rows[0]);
    },
    async identifyVisitor(input) {
      const bound = async () =>
        (await query<VisitorRow>(`SELECT ${VISITOR_COLUMNS} FROM visitors WHERE site_id = $1 AND external_id = $2`, [input.siteId, input.externalId])).rows[0];
      const existing = await bound();
      if (existing !== undefined) return toVisitor(existing);
      // Another node may bind the same external id between the SELECT and the write: the unique index refuses the
      // loser, which then reads the winner's row.
      try {
        if (input.visitorId !== undefined) {
          const { rows } = await query<VisitorRow>(
            `UPDATE visitors SET external_id = $1 WHERE id = $2 AND site_id = $3 AND external_id IS NULL RETURNING ${VISITOR_COLUMNS}`,
            [input.externalId, input.visitorId, input.siteId],
          );
          if (rows[0] !== undefined) return toVisitor(rows[0]);
        }
        const visitor: Visitor = { id: `v_${randomUUID()}`, siteId: input.siteId, createdAt: now(), externalId: input.externalId };
        await query('INSERT INTO visitors (id, site_id, created_at, external_id) VALUES ($1, $2, $3, $4)', [
          visitor.id,
          visitor.siteId,
          visitor.createdAt,
          input.externalId,
        ]);
        return visitor;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        const winner = await bound();
        if (winner === undefined) throw err;
        return toVisitor(winner);
      }
    },

    async createAgent(input) {
      const role: AgentRole = input.role ?? 'agent';
      const agent: Agent = { id: `a_${randomUUID()}`, siteId: input.siteId, name: input.name, availability: 'offline', role };
      if (input.avatarUrl !== undefined) agent.avatarUrl = input.avatarUrl;
      if (input.email !== undefined) agent.email = input.email;
      await query(
        `INSERT INTO agents (id, site_id, name, avatar_url, token_hash, email, password_hash, role, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [agent.id, input.siteId, input.name, input.avatarUrl ?? null, input.tokenHash, input.email ?? null, input.passwordHash ?? null, role, now()],
      );
      return agent;
    },
    async getAgentByTokenHash(tokenHash) {
      // One round trip: the agent's own token first, else an unexpired console session.
      const { rows } = await query<AgentRow>(
        `SELECT ${AGENT_COLUMNS} FROM agents a WHERE a.token_hash = $1
         UNION ALL
         SELECT ${AGENT_COLUMNS} FROM agent_sessions s JOIN agents a ON a.id = s.agent_id
         WHERE s.token_hash = $1 AND s.expires_at > $2
         LIMIT 1`,
        [tokenHash, now()],
      );
      return rows[0] === undefined ? undefined : toAgent(rows[0]);
    },
    async getAgentCredentials(email) {
      const { rows } = await query<AgentRow & { password_hash: string | null }>(
        `SELECT ${AGENT_COLUMNS}, a.password_hash FROM agents a WHERE a.email = $1`,
        [email],
      );
      const row = rows[0];
      return row === undefined ? undefined : { agent: toAgent(row), passwordHash: row.password_hash ?? undefined };
    },
    async createAgentSession(session) {
      // Expired sessions are swept on the next login rather than by a timer, as in sqlite.ts.
      await query('DELETE FROM agent_sessions WHERE expires_at <= $1', [now()]);
      await query('INSERT INTO agent_sessions (token_hash, agent_id, expires_at) VALUES ($1, $2, $3)', [
        session.tokenHash,
        session.agentId,
        session.expiresAt,
      ]);
    },
    async deleteAgentSession(tokenHash) {
      await query('DELETE FROM agent_sessions WHERE token_hash = $1', [tokenHash]);
    },
    async setAgentAvailability(agentId, availability) {
      await query('UPDATE agents SET availability = $1 WHERE id = $2', [availability, agentId]);
      await query('UPDATE agent_presence SET availability = $1 WHERE agent_id = $2', [availability, agentId]);
    },
    async revokeAgentCredentials(agentId) {
      return inTransaction(async (client) => {
        // token_hash is NOT NULL UNIQUE: a random value no SHA-256 hex digest can equal stands in for "none".
        const { rowCount } = await client.query('UPDATE agents SET token_hash = $1 WHERE id = $2', [`revoked:${randomUUID()}`, agentId]);
        if (rowCount !== 1) return false;
        await client.query('DELETE FROM agent_sessions WHERE agent_id = $1', [agentId]);
        return true;
      });
    },

    async startConversation(input) {
      // Without webhooks, two statements on the pool; with them, one transaction that also writes the outbox rows.
      if (outboxWriter !== undefined) {
        return withOutbox(inTransaction, async (client, stage) => {
          const result = await startWith(client.query.bind(client), input);
          if (result.created) await stage({ type: 'conversation.created', conversation: result.conversation });
          return result;
        });
      }
      return startWith(query, input);
    },
    async getConversation(id) {
      guard();
      try {
        return await getConversationWith(pool, id);
      } catch (err) {
        throw toStorageError(err);
      }
    },

    appendMessage(input) {
      if (isClosed) return Promise.reject(unavailable(new Error('storage closed')));
      // Postgres TEXT and JSONB cannot hold U+0000 (SQLite can). Refused here, one bad message would abort the
      // whole group-commit transaction and fail everyone else's messages with it.
      if (containsNul([input.clientId, input.author, input.text, input.attachments, input.quickReplies])) {
        return Promise.reject(
          new ParleyError('STORAGE_UNAVAILABLE', 'the database refused the write', {
            retryable: false,
            details: { reason: 'nul_character' },
          }),
        );
      }
      return new Promise((resolve, reject) => {
        pending.push({ input, resolve, reject });
        void startFlush();
      });
    },
    async listMessages(q) {
      const limit = Math.max(1, Math.floor(q.limit));
      if (q.afterSeq !== undefined) {
        const { rows } = await query<MessageRow>(
          `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND seq > $2 ORDER BY seq ASC LIMIT $3`,
          [q.conversationId, q.afterSeq, limit + 1],
        );
        return { messages: rows.slice(0, limit).map(toMessage), hasMore: rows.length > limit } satisfies MessagePage;
      }
      const before = q.beforeSeq ?? 2 ** 31 - 1; // seq is INTEGER
      const { rows } = await query<MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`,
        [q.conversationId, Math.min(before, 2 ** 31 - 1), limit + 1],
      );
      return { messages: rows.slice(0, limit).reverse().map(toMessage), hasMore: rows.length > limit } satisfies MessagePage;
    },

    async markRead(conversationId, role, upToSeq) {
      const column = role === 'visitor' ? 'visitor_read_seq' : 'agent_read_seq';
      const { rows } = await query<{ marker: number }>(
        `UPDATE conversations SET ${column} = GREATEST(${column}, LEAST($1::int, last_seq))
         WHERE id = $2 RETURNING ${column} AS marker`,
        [Math.max(0, Math.min(Math.floor(upToSeq), 2 ** 31 - 1)), conversationId],
      );
      if (rows[0] === undefined) throw new ParleyError('CONVERSATION_NOT_FOUND', 'no such conversation');
      return rows[0].marker;
    },
    recordPage: (conversationId, url, title) =>
      inTransaction(async (client) => {
        const patch: { page: string; pageTitle?: string } = { page: url };
        if (title !== undefined) patch.pageTitle = title;
        // jsonb || merges at the top level in one statement, so concurrent profile updates don't overwrite each other.
        const { rowCount } = await client.query('UPDATE conversations SET profile = profile || $1::jsonb WHERE id = $2', [
          JSON.stringify(patch),
          conversationId,
        ]);
        if (rowCount !== 1) throw new ParleyError('CONVERSATION_NOT_FOUND', 'no such conversation');
        await client.query('INSERT INTO conversation_pages (conversation_id, url, title, at) VALUES ($1, $2, $3, $4)', [
          conversationId,
          url,
          title ?? null,
          now(),
        ]);
      }),

    escalate: (input) =>
      withOutbox(transact, async (client, stage): Promise<Transition> => {
        const { rowCount } = await client.query(
          `UPDATE conversations SET status = $6, escalation_reason = $1, transcript = $2::jsonb,
             profile = profile || $3::jsonb, queued_at = $4
           WHERE id = $5 AND status IN ('bot', 'offline')`,
          [input.reason, JSON.stringify(input.transcript), JSON.stringify(input.profile ?? {}), now(), input.conversationId, input.status ?? 'queued'],
        );
        const conversation = await getConversationWith(client, input.conversationId);
        if (rowCount === 1 && conversation !== undefined) await stage({ type: 'conversation.escalated', conversation, reason: input.reason });
        return { changed: rowCount === 1, conversation };
      }),
    async listQueue(siteId) {
      const { rows } = await query<{
        id: string;
        visitor_id: string;
        queued_at: BigintText;
        escalation_reason: string;
        profile: unknown;
        transcript: unknown;
      }>(
        `SELECT id, visitor_id, queued_at, escalation_reason, profile, transcript FROM conversations
         WHERE site_id = $1 AND status = 'queued' ORDER BY queued_at ASC, ord ASC`,
        [siteId],
      );
      return rows.map(
        (row): QueuedConversation => ({
          conversationId: row.id,
          visitorId: row.visitor_id,
          queuedAt: toInt(row.queued_at),
          reason: row.escalation_reason as EscalationReason,
          profile: jsonObject<VisitorProfile>(row.profile, {}),
          transcript: jsonArray<TranscriptItem>(row.transcript) ?? [],
        }),
      );
    },
    assign: (conversationId, agent: AgentInfo) =>
      withOutbox(transact, async (client, stage): Promise<Transition> => {
        // Compare-and-set: concurrent callers queue on the row lock, then re-check status = 'queued' against the
        // winner's committed row and match nothing. The seq for the event is taken in the same statement.
        const at = now();
        const { rows } = await client.query<{ last_seq: number }>(
          // An offline message is taken the same way; its time waiting is no queue wait, so assigned_at stays unset.
          `UPDATE conversations SET status = 'assigned', agent_id = $1, last_seq = last_seq + 1,
             assigned_at = CASE WHEN status = 'queued' THEN $3 ELSE assigned_at END
           WHERE id = $2 AND status IN ('queued', 'offline') RETURNING last_seq`,
          [agent.id, conversationId, at],
        );
        if (rows[0] === undefined) return { changed: false, conversation: await getConversationWith(client, conversationId) };
        await client.query('UPDATE agents SET last_assigned_at = $1 WHERE id = $2', [at, agent.id]);
        const author = { role: 'agent' as const, id: agent.id, name: agent.name };
        const event = await writeEvent(client, conversationId, author, `${agent.name} joined the conversation`, rows[0].last_seq, 'joined');
        const conversation = await getConversationWith(client, conversationId);
        if (conversation !== undefined) await stage(assignedEvent(conversation, agent, at, 0));
        return { changed: true, conversation, event };
      }),
    closeConversation: (conversationId, by: Role, reason) =>
      withOutbox(transact, async (client, stage): Promise<Transition> => {
        const { rows } = await client.query<{ last_seq: number }>(
          `UPDATE conversations SET status = 'closed', closed_at = $1, closed_by = $2, close_reason = $3,
             last_seq = last_seq + 1
           WHERE id = $4 AND status <> 'closed' RETURNING last_seq`,
          [now(), by, reason ?? null, conversationId],
        );
        if (rows[0] === undefined) return { changed: false, conversation: await getConversationWith(client, conversationId) };
        const event = await writeEvent(client, conversationId, { role: 'system', id: 'system' }, `Conversation closed by the ${by}`, rows[0].last_seq, 'closed');
        const conversation = await getConversationWith(client, conversationId);
        if (conversation !== undefined) {
          await stage({ type: 'conversation.closed', conversation, closedBy: by, ...(reason === undefined ? {} : { reason }) });
        }
        return { changed: true, conversation, event };
      }),
    async searchConversations(search) {
      const term = search.q?.trim();
      const { rows } = await query<
        ConversationRow & {
          closed_at: BigintText | null;
          rating: number | null;
          rating_scale: string | null;
          last_text: string | null;
          last_at: BigintText | null;
          last_role: string | null;
        }
      >(
        // Visitor name/e-mail live in the profile JSON; message text is searched only in text messages.
        `SELECT c.id, c.site_id, c.visitor_id, c.status, c.last_seq, c.created_at, c.profile, c.agent_id,
                a.name AS agent_name, a.avatar_url AS agent_avatar_url, c.escalation_reason, c.queued_at,
                c.visitor_read_seq, c.agent_read_seq, c.closed_at, r.score AS rating, r.scale AS rating_scale,
                lm.text AS last_text, lm.at AS last_at, lm.author_role AS last_role
         FROM conversations c
         LEFT JOIN agents a ON a.id = c.agent_id
         LEFT JOIN ratings r ON r.conversation_id = c.id
         LEFT JOIN LATERAL (
           SELECT m.text, m.at, m.author_role FROM messages m
           WHERE m.conversation_id = c.id AND m.kind = 'text' ORDER BY m.seq DESC LIMIT 1) lm ON true
         WHERE c.site_id = $1
           AND ($2::text IS NULL OR c.status = $2)
           AND ($3::text IS NULL
                OR lower(coalesce(c.profile->>'name', '')) LIKE $3 ESCAPE '\\'
                OR lower(coalesce(c.profile->>'email', '')) LIKE $3 ESCAPE '\\'
                OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.kind = 'text'
                           AND lower(m.text) LIKE $3 ESCAPE '\\'))
         ORDER BY c.created_at DESC, c.ord DESC
         LIMIT $4 OFFSET $5`,
        [
          search.siteId,
          search.status ?? null,
          term === undefined || term === '' ? null : likePattern(term),
          Math.max(1, Math.floor(search.limit)),
          Math.max(0, Math.floor(search.offset ?? 0)),
        ],
      );
      return rows.map((row): ConversationSummary => {
        const conv = toConversation(row);
        const summary: ConversationSummary = {
          id: conv.id,
          status: conv.status,
          createdAt: conv.createdAt,
          lastSeq: conv.lastSeq,
          profile: conv.profile,
        };
        if (conv.agent !== undefined) summary.agent = conv.agent;
        if (conv.escalationReason !== undefined) summary.escalationReason = conv.escalationReason;
        if (row.closed_at !== null) summary.closedAt = toInt(row.closed_at);
        if (row.rating !== null) {
          summary.rating = row.rating;
          summary.ratingScale = toRatingScale(row.rating_scale);
        }
        if (row.last_text !== null && row.last_at !== null && row.last_role !== null) {
          summary.lastMessage = { text: row.last_text, at: toInt(row.last_at), role: row.last_role as Message['author']['role'] };
        }
        return summary;
      });
    },
    async getConversationDetail(id) {
      // Three reads at READ COMMITTED could straddle a close; one REPEATABLE READ snapshot keeps them consistent.
      return inTransaction(async (client) => {
        await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const conv = await getConversationWith(client, id);
        if (conv === undefined) return undefined;
        const extra = await client.query<{
          transcript: unknown;
          closed_at: BigintText | null;
          closed_by: string | null;
          close_reason: string | null;
          score: number | null;
          scale: string | null;
          comment: string | null;
          rated_at: BigintText | null;
        }>(
          `SELECT c.transcript, c.closed_at, c.closed_by, c.close_reason, r.score, r.scale, r.comment, r.at AS rated_at
           FROM conversations c LEFT JOIN ratings r ON r.conversation_id = c.id WHERE c.id = $1`,
          [id],
        );
        const pages = await client.query<{ url: string; title: string | null; at: BigintText }>(
          'SELECT url, title, at FROM conversation_pages WHERE conversation_id = $1 ORDER BY at ASC, ord ASC',
          [id],
        );
        const row = extra.rows[0];
        if (row === undefined) throw unavailable(new Error('conversation vanished mid-snapshot'));
        const detail: ConversationDetail = {
          ...conv,
          transcript: jsonArray<TranscriptItem>(row.transcript) ?? [],
          pages: pages.rows.map((p): PageVisit =>
            p.title === null ? { url: p.url, at: toInt(p.at) } : { url: p.url, title: p.title, at: toInt(p.at) },
          ),
        };
        if (row.score !== null && row.rated_at !== null) {
          detail.rating = { conversationId: id, score: row.score, scale: toRatingScale(row.scale), at: toInt(row.rated_at) };
          if (row.comment !== null) detail.rating.comment = row.comment;
        }
        if (row.closed_at !== null) detail.closedAt = toInt(row.closed_at);
        if (row.closed_by === 'visitor' || row.closed_by === 'agent') detail.closedBy = row.closed_by;
        if (row.close_reason !== null) detail.closeReason = row.close_reason;
        return detail;
      });
    },
    async listRatings(since) {
      const { rows } = await query<{
        conversation_id: string;
        score: number;
        scale: string;
        comment: string | null;
        at: BigintText;
        agent_id: string | null;
        agent_name: string | null;
        agent_avatar_url: string | null;
      }>(
        `SELECT r.conversation_id, r.score, r.scale, r.comment, r.at, a.id AS agent_id, a.name AS agent_name, a.avatar_url AS agent_avatar_url
         FROM ratings r JOIN conversations c ON c.id = r.conversation_id LEFT JOIN agents a ON a.id = c.agent_id
         WHERE c.site_id = $1 AND r.at >= $2 ORDER BY r.at ASC, r.ord ASC`,
        [since.siteId, since.sinceMs],
      );
      return rows.map((row): RatingRecord => {
        const record: RatingRecord = { conversationId: row.conversation_id, score: row.score, scale: toRatingScale(row.scale), at: toInt(row.at) };
        if (row.comment !== null) record.comment = row.comment;
        if (row.agent_id !== null) {
          record.agent = { id: row.agent_id, name: row.agent_name ?? '' };
          if (row.agent_avatar_url !== null) record.agent.avatarUrl = row.agent_avatar_url;
        }
        return record;
      });
    },
    async addNote(input) {
      const found = await query('SELECT 1 FROM conversations WHERE id = $1', [input.conversationId]);
      if (found.rowCount === 0) throw new ParleyError('CONVERSATION_NOT_FOUND', 'no such conversation');
      const { rows } = await query<NoteRow>(
        `INSERT INTO notes (conversation_id, client_id, author_id, author_name, text, at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (conversation_id, client_id) DO NOTHING RETURNING ${NOTE_COLUMNS}`,
        [input.conversationId, input.clientId, input.author.id, input.author.name ?? null, input.text, now()],
      );
      if (rows[0] !== undefined) return { note: toNote(rows[0]), duplicate: false };
      const existing = await query<NoteRow>(`SELECT ${NOTE_COLUMNS} FROM notes WHERE conversation_id = $1 AND client_id = $2`, [
        input.conversationId,
        input.clientId,
      ]);
      return { note: toNote(existing.rows[0]!), duplicate: true };
    },
    async listNotes(conversationId, limit) {
      const { rows } = await query<NoteRow>(`SELECT ${NOTE_COLUMNS} FROM notes WHERE conversation_id = $1 ORDER BY at ASC, ord ASC LIMIT $2`, [
        conversationId,
        Math.max(1, Math.floor(limit)),
      ]);
      return rows.map(toNote);
    },
    async rate(input) {
      if ((await storage.getConversation(input.conversationId)) === undefined) {
        throw new ParleyError('CONVERSATION_NOT_FOUND', 'no such conversation');
      }
      if (outboxWriter !== undefined) {
        return withOutbox(inTransaction, async (client, stage) => {
          const result = await rateWith(client.query.bind(client), input);
          if (result.created) await stage({ type: 'rating.created', rating: result.rating });
          return result;
        });
      }
      return rateWith(query, input);
    },

    async putAgentPresence(lease) {
      await query(
        `INSERT INTO agent_presence (connection_id, agent_id, site_id, node_id, availability, connected_at, seen_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)
         ON CONFLICT (connection_id) DO UPDATE SET availability = excluded.availability, seen_at = excluded.seen_at`,
        [lease.connectionId, lease.agentId, lease.siteId, lease.nodeId, lease.availability, lease.at],
      );
    },
    removeAgentPresence: (connectionId, at) =>
      inTransaction(async (client) => {
        const { rows } = await client.query<{ agent_id: string }>('DELETE FROM agent_presence WHERE connection_id = $1 RETURNING agent_id', [connectionId]);
        if (rows[0] === undefined) return;
        await client.query('UPDATE agents SET last_seen_at = GREATEST(COALESCE(last_seen_at, 0), $1) WHERE id = $2', [at, rows[0].agent_id]);
      }),
    async renewNodePresence(nodeId, at) {
      await query('UPDATE agent_presence SET seen_at = $1 WHERE node_id = $2', [at, nodeId]);
    },
    async setAgentCapacity(agentId, capacity) {
      await query('UPDATE agents SET capacity = $1 WHERE id = $2', [capacity, agentId]);
    },
    purgeLapsedPresence: (beforeMs) =>
      inTransaction(async (client) => {
        // SKIP LOCKED: two nodes purging at once split the rows instead of queueing on each other.
        const { rows } = await client.query<{ agent_id: string; seen_at: BigintText }>(
          `DELETE FROM agent_presence WHERE connection_id IN (
             SELECT connection_id FROM agent_presence WHERE seen_at < $1 FOR UPDATE SKIP LOCKED)
           RETURNING agent_id, seen_at`,
          [beforeMs],
        );
        const lastSeen = new Map<string, number>();
        for (const row of rows) lastSeen.set(row.agent_id, Math.max(lastSeen.get(row.agent_id) ?? 0, toInt(row.seen_at)));
        for (const [agentId, at] of lastSeen) {
          await client.query('UPDATE agents SET last_seen_at = GREATEST(COALESCE(last_seen_at, 0), $1) WHERE id = $2', [at, agentId]);
        }
      }),
    async listAgentLoads(siteId, liveSinceMs) {
      const { rows } = await query<{
        id: string;
        name: string;
        avatar_url: string | null;
        capacity: number;
        last_assigned_at: BigintText | null;
        connected_at: BigintText;
        rank: number;
        active: BigintText;
      }>(
        `SELECT a.id, a.name, a.avatar_url, a.capacity, a.last_assigned_at, MIN(p.connected_at) AS connected_at,
                MAX(CASE p.availability WHEN 'online' THEN 2 WHEN 'away' THEN 1 ELSE 0 END)::int AS rank,
                (SELECT COUNT(*) FROM conversations c WHERE c.agent_id = a.id AND c.status = 'assigned') AS active
         FROM agent_presence p JOIN agents a ON a.id = p.agent_id
         WHERE p.site_id = $1 AND p.seen_at >= $2
         GROUP BY a.id`,
        [siteId, liveSinceMs],
      );
      return rows.map((row): AgentLoad => ({
        agent: row.avatar_url === null ? { id: row.id, name: row.name } : { id: row.id, name: row.name, avatarUrl: row.avatar_url },
        availability: row.rank === 2 ? 'online' : row.rank === 1 ? 'away' : 'offline',
        capacity: row.capacity,
        activeCount: toInt(row.active),
        idleSinceMs: Math.max(row.last_assigned_at === null ? 0 : toInt(row.last_assigned_at), toInt(row.connected_at)),
      }));
    },
    assignNext: (siteId, agent) =>
      withOutbox(transact, async (client, stage): Promise<AssignNextResult> => {
        // The agent's row lock serialises this agent's assignments across nodes; NO KEY UPDATE leaves the
        // foreign-key checks of other writers unblocked. The count is a separate statement on purpose: at READ
        // COMMITTED it then takes a fresh snapshot after the lock wait and sees the previous holder's assignment
        // (a subquery of the locking statement would still count from before the wait).
        const locked = await client.query<{ capacity: number }>('SELECT capacity FROM agents WHERE id = $1 FOR NO KEY UPDATE', [agent.id]);
        const capacity = locked.rows[0]?.capacity;
        if (capacity === undefined) return { kind: 'full' };
        const active = await client.query<{ n: BigintText }>(
          `SELECT COUNT(*) AS n FROM conversations WHERE agent_id = $1 AND status = 'assigned'`,
          [agent.id],
        );
        if (toInt(active.rows[0]?.n ?? 0) >= capacity) return { kind: 'full' };
        // SKIP LOCKED: a conversation another node is taking right now is passed over, not waited for.
        const next = await client.query<{ id: string }>(
          `SELECT id FROM conversations WHERE site_id = $1 AND status = 'queued'
           ORDER BY queued_at ASC, ord ASC LIMIT 1 FOR UPDATE SKIP LOCKED`,
          [siteId],
        );
        const id = next.rows[0]?.id;
        if (id === undefined) return { kind: 'empty' };
        const at = now();
        const taken = await client.query<{ last_seq: number }>(
          `UPDATE conversations SET status = 'assigned', agent_id = $1, last_seq = last_seq + 1, assigned_at = $3
           WHERE id = $2 AND status = 'queued' RETURNING last_seq`,
          [agent.id, id, at],
        );
        if (taken.rows[0] === undefined) return { kind: 'empty' };
        await client.query('UPDATE agents SET last_assigned_at = $1 WHERE id = $2', [at, agent.id]);
        const author = { role: 'agent' as const, id: agent.id, name: agent.name };
        const event = await writeEvent(client, id, author, `${agent.name} joined the conversation`, taken.rows[0].last_seq, 'joined');
        const conversation = await getConversationWith(client, id);
        if (conversation !== undefined) await stage(assignedEvent(conversation, agent, at, 0));
        return { kind: 'assigned', transition: { changed: true, conversation, event } };
      }),
    transfer: (conversationId, fromAgentId, from, target) =>
      transact(async (client): Promise<TransferResult> => {
        const to = target?.agent;
        if (target !== undefined && to !== undefined) {
          // The same lock and fresh count as assignNext, so a transfer and an automatic assignment cannot both take
          // the target's last seat.
          const locked = await client.query<{ capacity: number }>('SELECT capacity FROM agents WHERE id = $1 FOR NO KEY UPDATE', [to.id]);
          // FOR SHARE: a concurrent "away" or disconnect (an update or delete of this lease) waits for this
          // transaction, or, if it committed first, this read sees it and refuses.
          const online = await client.query(
            `SELECT 1 FROM agent_presence p
             WHERE p.agent_id = $1 AND p.seen_at >= $2 AND p.availability = 'online'
               AND p.site_id = (SELECT site_id FROM conversations WHERE id = $3)
             LIMIT 1 FOR SHARE OF p`,
            [to.id, target.liveSinceMs, conversationId],
          );
          if (online.rowCount === 0) {
            return { changed: false, conversation: await getConversationWith(client, conversationId), refusal: 'agent_unavailable' };
          }
          const capacity = locked.rows[0]?.capacity;
          const active = await client.query<{ n: BigintText }>(`SELECT COUNT(*) AS n FROM conversations WHERE agent_id = $1 AND status = 'assigned'`, [to.id]);
          if (capacity === undefined || toInt(active.rows[0]?.n ?? 0) >= capacity) {
            return { changed: false, conversation: await getConversationWith(client, conversationId), refusal: 'agent_full' };
          }
        }
        const { rows } =
          to === undefined
            ? await client.query<{ last_seq: number }>(
                `UPDATE conversations SET status = 'queued', agent_id = NULL, queued_at = $1, last_seq = last_seq + 1
                 WHERE id = $2 AND status = 'assigned' AND agent_id = $3 RETURNING last_seq`,
                [now(), conversationId, fromAgentId],
              )
            : await client.query<{ last_seq: number }>(
                `UPDATE conversations SET agent_id = $1, last_seq = last_seq + 1
                 WHERE id = $2 AND status = 'assigned' AND agent_id = $3 RETURNING last_seq`,
                [to.id, conversationId, fromAgentId],
              );
        if (rows[0] === undefined) return { changed: false, conversation: await getConversationWith(client, conversationId), refusal: 'not_assigned' };
        const author = { role: 'agent' as const, id: from.id, name: from.name };
        const text = to === undefined ? `${from.name} put the conversation back in the queue` : `${from.name} transferred the conversation to ${to.name}`;
        const event = await writeEvent(client, conversationId, author, text, rows[0].last_seq, to === undefined ? 'requeued' : 'transferred');
        return { changed: true, conversation: await getConversationWith(client, conversationId), event };
      }),
    requeueAbandoned: ({ liveSinceMs, goneBeforeMs }) =>
      transact(async (client): Promise<RequeuedConversation[]> => {
        // SKIP LOCKED: when two nodes sweep at once each row is taken by one of them; the conditional update
        // below would refuse a second move anyway.
        const { rows } = await client.query<{ id: string; site_id: string; agent_id: string; agent_name: string; agent_avatar_url: string | null }>(
          `SELECT c.id, c.site_id, a.id AS agent_id, a.name AS agent_name, a.avatar_url AS agent_avatar_url
           FROM conversations c JOIN agents a ON a.id = c.agent_id
           WHERE c.status = 'assigned'
             AND NOT EXISTS (SELECT 1 FROM agent_presence p WHERE p.agent_id = a.id AND p.seen_at >= $1)
             AND GREATEST(COALESCE(a.last_seen_at, 0),
                          COALESCE((SELECT MAX(p.seen_at) FROM agent_presence p WHERE p.agent_id = a.id), 0)) < $2
           ORDER BY c.ord
           FOR UPDATE OF c SKIP LOCKED`,
          [liveSinceMs, goneBeforeMs],
        );
        const moved: RequeuedConversation[] = [];
        for (const row of rows) {
          const updated = await client.query<{ last_seq: number }>(
            `UPDATE conversations SET status = 'queued', agent_id = NULL, queued_at = $1, last_seq = last_seq + 1
             WHERE id = $2 AND status = 'assigned' AND agent_id = $3 RETURNING last_seq`,
            [now(), row.id, row.agent_id],
          );
          if (updated.rows[0] === undefined) continue;
          const agent: AgentInfo =
            row.agent_avatar_url === null ? { id: row.agent_id, name: row.agent_name } : { id: row.agent_id, name: row.agent_name, avatarUrl: row.agent_avatar_url };
          const event = await writeEvent(client, row.id, { role: 'system', id: 'system' }, `${agent.name} left; waiting for another agent`, updated.rows[0].last_seq, 'left');
          moved.push({ siteId: row.site_id, agent, transition: { changed: true, conversation: await getConversationWith(client, row.id), event } });
        }
        return moved;
      }),
    async listRecentWaits(siteId, limit) {
      const { rows } = await query<{ wait: BigintText }>(
        `SELECT assigned_at - queued_at AS wait FROM conversations
         WHERE site_id = $1 AND assigned_at IS NOT NULL AND queued_at IS NOT NULL AND assigned_at >= queued_at
         ORDER BY assigned_at DESC LIMIT $2`,
        [siteId, Math.max(1, Math.floor(limit))],
      );
      return rows.map((row) => toInt(row.wait)).reverse();
    },

    async listVisitorConversations(visitorId) {
      const { rows } = await query<{ id: string }>('SELECT id FROM conversations WHERE visitor_id = $1 ORDER BY created_at ASC, id ASC', [visitorId]);
      return rows.map((row) => row.id);
    },
    async eraseVisitor(visitorId) {
      // Queued appends land first, so no message of this visitor is written after the delete.
      await settleAppends();
      return inTransaction(async (client): Promise<ErasureResult | undefined> => {
        // Locks the visitor row: a conversation start racing the erasure waits, then fails on the missing visitor.
        const found = await client.query('SELECT id FROM visitors WHERE id = $1 FOR UPDATE', [visitorId]);
        if (found.rowCount !== 1) return undefined;
        const ofVisitor = 'SELECT id FROM conversations WHERE visitor_id = $1';
        const withFiles = await client.query<{ attachments: unknown }>(
          `SELECT attachments FROM messages WHERE conversation_id IN (${ofVisitor}) AND attachments IS NOT NULL`,
          [visitorId],
        );
        const attachmentUrls = withFiles.rows.flatMap((row) => (jsonArray<Attachment>(row.attachments) ?? []).map((a) => a.url));
        const messages = await client.query(`DELETE FROM messages WHERE conversation_id IN (${ofVisitor})`, [visitorId]);
        await client.query(`DELETE FROM conversation_pages WHERE conversation_id IN (${ofVisitor})`, [visitorId]);
        await client.query(`DELETE FROM ratings WHERE conversation_id IN (${ofVisitor})`, [visitorId]);
        const conversations = await client.query('DELETE FROM conversations WHERE visitor_id = $1', [visitorId]);
        await client.query('DELETE FROM visitors WHERE id = $1', [visitorId]);
        return { conversations: conversations.rowCount ?? 0, messages: messages.rowCount ?? 0, attachmentUrls };
      });
    },
    async applyRetention({ closedBefore, limit }) {
      await settleAppends();
      return inTransaction(async (client): Promise<RetentionResult> => {
        // SKIP LOCKED: two nodes running the job at once split the work instead of waiting on each other.
        const { rows } = await client.query<{ id: string }>(
          `SELECT id FROM conversations WHERE status = 'closed' AND closed_at < $1 ORDER BY closed_at ASC LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [closedBefore, Math.max(1, Math.floor(limit))],
        );
        const ids = rows.map((row) => row.id);
        if (ids.length > 0) {
          await client.query('DELETE FROM messages WHERE conversation_id = ANY($1)', [ids]);
          await client.query('DELETE FROM conversation_pages WHERE conversation_id = ANY($1)', [ids]);
          await client.query('DELETE FROM ratings WHERE conversation_id = ANY($1)', [ids]);
          await client.query('DELETE FROM conversations WHERE id = ANY($1)', [ids]);
        }
        const visitors = await client.query(
          'DELETE FROM visitors v WHERE v.created_at < $1 AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.visitor_id = v.id)',
          [closedBefore],
        );
        return { conversations: ids.length, visitors: visitors.rowCount ?? 0 };
      });
    },
    async listAgents(siteId) {
      const { rows } = await query<AgentRow & { created_at: BigintText; is_disabled: boolean }>(
        `SELECT ${AGENT_COLUMNS}, a.created_at, (a.token_hash LIKE 'revoked:%' AND a.password_hash IS NULL) AS is_disabled
         FROM agents a WHERE a.site_id = $1 ORDER BY a.created_at ASC, a.id ASC`,
        [siteId],
      );
      return rows.map((row): AgentRecord => ({ ...toAgent(row), createdAt: toInt(row.created_at), disabled: row.is_disabled === true }));
    },
    async disableAgent(agentId) {
      return inTransaction(async (client) => {
        // Same stand-in as revokeAgentCredentials: token_hash is NOT NULL UNIQUE and no SHA-256 hex equals it.
        const { rowCount } = await client.query(
          `UPDATE agents SET token_hash = $1, password_hash = NULL, availability = 'offline' WHERE id = $2`,
          [`revoked:${randomUUID()}`, agentId],
        );
        if (rowCount !== 1) return false;
        await client.query('DELETE FROM agent_sessions WHERE agent_id = $1', [agentId]);
        return true;
      });
    },

    drain: () => settleAppends(),
    async close() {
      if (isClosed) return;
      await settleAppends();
      isClosed = true;
      try {
        await pool.end();
      } catch (err) {
        throw toStorageError(err);
      }
    },
  };
  return storage;
}

/**
 * Brings the schema to the latest version in one transaction. The advisory lock (keyed by schema name) makes a
 * second node that starts at the same moment wait, then see the finished version and do nothing.
 */
async function migrate(pool: pg.Pool, schema: string | undefined): Promise<void> {
  const client = await pool.connect();
  let releaseError: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('parley_migrate:' || $1))`, [schema ?? '']);
    if (schema !== undefined) {
      // Look first: CREATE SCHEMA IF NOT EXISTS still needs CREATE on the database, which a production role given
      // a pre-made schema usually lacks. The name was validated against SCHEMA_NAME, so interpolation is safe.
      const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (found.rowCount === 0) await client.query(`CREATE SCHEMA ${schema}`);
    }
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_version');
    if (rows[0] === undefined) await client.query('INSERT INTO schema_version (version) VALUES (0)');
    const current = rows[0]?.version ?? 0;
    if (current > MIGRATIONS.length) {
      throw new ParleyError(
        'STORAGE_UNAVAILABLE',
        `database schema version ${current} is newer than this server (${MIGRATIONS.length}); upgrade the server`,
      );
    }
    for (let version = current; version < MIGRATIONS.length; version++) await client.query(MIGRATIONS[version]!);
    if (current < MIGRATIONS.length) await client.query('UPDATE schema_version SET version = $1', [MIGRATIONS.length]);
    await client.query('COMMIT');
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackErr) {
      // The connection is broken; destroy it. `err` is what the caller gets.
      releaseError = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
    }
    throw err;
  } finally {
    client.release(releaseError);
  }
}
