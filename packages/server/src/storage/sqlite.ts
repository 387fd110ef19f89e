// SQLite adapter of Storage (better-sqlite3, WAL, synchronous=FULL) with group commit for message inserts and WAL
// checkpoints on a worker thread (wal-checkpointer.ts).
// Owns the schema and its migrations; must not know about sockets or frames.

import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
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
import { startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.js';
import { createWalSync, type WalSync } from './wal-sync.js';
import { createSqliteOutboxStage, createSqliteWebhookOutbox, SQLITE_WEBHOOK_OUTBOX_MIGRATION } from './webhook-outbox-sqlite.js';
import { assignedEvent } from '../domain-events.js';
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
  NewSite,
  Site,
  SiteTheme,
  Storage,
  Transition,
  Visitor,
} from './storage.js';
import type { AgentRecord, ErasureResult, RetentionResult } from './privacy-store.js';
import type { NewWebhookDelivery } from './webhook-outbox-store.js';
import type { AgentLoad, AssignNextResult, RequeuedConversation, TransferResult } from './routing-store.js';

export interface SqliteStorageOptions {
  /** A file path, or `:memory:`. The parent directory is created if missing. */
  path: string;
  now?: () => number;
  /** Failures off the request path (a WAL checkpoint); the storage keeps serving. Defaults to stderr. */
  onError?: (err: Error) => void;
  /** Pause between the checkpoint worker's passes over the WAL (wal-checkpointer.ts). Default 250 ms. */
  checkpointIntervalMs?: number;
}

/** Each entry moves the schema one version forward. Append only: never edit a shipped migration. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    allowed_origins TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE visitors (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    created_at INTEGER NOT NULL
  );
  CREATE TABLE agents (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    avatar_url TEXT,
    token_hash TEXT NOT NULL UNIQUE,
    availability TEXT NOT NULL DEFAULT 'offline',
    created_at INTEGER NOT NULL
  );
  CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    visitor_id TEXT NOT NULL REFERENCES visitors(id),
    start_client_id TEXT NOT NULL,
    status TEXT NOT NULL,
    last_seq INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    profile TEXT NOT NULL DEFAULT '{}',
    agent_id TEXT REFERENCES agents(id),
    escalation_reason TEXT,
    transcript TEXT,
    queued_at INTEGER,
    visitor_read_seq INTEGER NOT NULL DEFAULT 0,
    agent_read_seq INTEGER NOT NULL DEFAULT 0,
    closed_at INTEGER,
    closed_by TEXT,
    close_reason TEXT,
    UNIQUE (visitor_id, start_client_id)
  );
  CREATE INDEX conversations_queue ON conversations (site_id, status, queued_at);
  CREATE TABLE messages (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    seq INTEGER NOT NULL,
    client_id TEXT NOT NULL,
    author_role TEXT NOT NULL,
    author_id TEXT NOT NULL,
    author_name TEXT,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    attachments TEXT,
    at INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, seq)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX messages_client_id ON messages (conversation_id, client_id);
  CREATE TABLE ratings (
    conversation_id TEXT PRIMARY KEY REFERENCES conversations(id),
    score INTEGER NOT NULL,
    comment TEXT,
    at INTEGER NOT NULL
  );
  INSERT INTO sites (id, key, allowed_origins, created_at) VALUES ('site_demo', 'demo', '["*"]', 0);
  `,
  // 2: console logins (e-mail, scrypt hash, role, sessions), pages visited, history search.
  `
  ALTER TABLE agents ADD COLUMN email TEXT;
  ALTER TABLE agents ADD COLUMN password_hash TEXT;
  ALTER TABLE agents ADD COLUMN role TEXT NOT NULL DEFAULT 'agent';
  CREATE UNIQUE INDEX agents_email ON agents (email) WHERE email IS NOT NULL;
  CREATE TABLE agent_sessions (
    token_hash TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL REFERENCES agents(id),
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX agent_sessions_expiry ON agent_sessions (expires_at);
  CREATE TABLE conversation_pages (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    url TEXT NOT NULL,
    title TEXT,
    at INTEGER NOT NULL
  );
  CREATE INDEX conversation_pages_by_conversation ON conversation_pages (conversation_id, at);
  CREATE INDEX conversations_history ON conversations (site_id, created_at);
  CREATE INDEX ratings_at ON ratings (at);
  `,
  // 3: per-site shopper identity verification (secret, required flag) and visitors bound to the site's user id.
  `
  ALTER TABLE sites ADD COLUMN identity_secret TEXT;
  ALTER TABLE sites ADD COLUMN requires_identity INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE visitors ADD COLUMN external_id TEXT;
  CREATE UNIQUE INDEX visitors_external_id ON visitors (site_id, external_id) WHERE external_id IS NOT NULL;
  `,
  // 4: routing: agent capacity, presence leases per connection, assignment times (least loaded, longest idle, waits).
  `
  ALTER TABLE agents ADD COLUMN capacity INTEGER NOT NULL DEFAULT 3;
  ALTER TABLE agents ADD COLUMN last_assigned_at INTEGER;
  ALTER TABLE agents ADD COLUMN last_seen_at INTEGER;
  ALTER TABLE conversations ADD COLUMN assigned_at INTEGER;
  CREATE INDEX conversations_by_agent ON conversations (agent_id, status);
  CREATE TABLE agent_presence (
    connection_id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL,
    site_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    availability TEXT NOT NULL,
    connected_at INTEGER NOT NULL,
    seen_at INTEGER NOT NULL
  );
  CREATE INDEX agent_presence_by_agent ON agent_presence (agent_id, seen_at);
  CREATE INDEX agent_presence_by_site ON agent_presence (site_id, seen_at);
  CREATE INDEX agent_presence_by_node ON agent_presence (node_id);
  `,
  // 5: per-site business hours and widget theme (JSON), and the site's FAQ source.
  `
  ALTER TABLE sites ADD COLUMN business_hours TEXT;
  ALTER TABLE sites ADD COLUMN theme TEXT;
  CREATE TABLE site_faqs (
    site_id TEXT PRIMARY KEY REFERENCES sites(id),
    source TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
  // 6: internal notes (agents only), outside the message seq; erased with their conversation.
  `
  CREATE TABLE notes (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    author_id TEXT NOT NULL,
    author_name TEXT,
    text TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, client_id)
  );
  CREATE INDEX notes_by_conversation ON notes (conversation_id, at);
  `,
  // 7: quick replies an agent offers with a message (JSON list of strings).
  `
  ALTER TABLE messages ADD COLUMN quick_replies TEXT;
  `,
  // 8: the site's rating scale (NULL: csat), and the scale each rating was given on.
  `
  ALTER TABLE sites ADD COLUMN rating_scale TEXT;
  ALTER TABLE ratings ADD COLUMN scale TEXT NOT NULL DEFAULT 'csat';
  `,
  // 9: the webhook outbox (webhook-outbox-sqlite.ts).
  SQLITE_WEBHOOK_OUTBOX_MIGRATION,
  // 10: the widget's pre-chat form per site (JSON list of fields).
  `
  ALTER TABLE sites ADD COLUMN pre_chat TEXT;
  `,
];

export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

interface ConversationRow {
  id: string;
  site_id: string;
  visitor_id: string;
  status: string;
  last_seq: number;
  created_at: number;
  profile: string;
  agent_id: string | null;
  agent_name: string | null;
  agent_avatar_url: string | null;
  escalation_reason: string | null;
  queued_at: number | null;
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
  attachments: string | null;
  quick_replies: string | null;
  at: number;
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

const SITE_COLUMNS = 'id, key, allowed_origins, identity_secret, requires_identity, business_hours, theme, rating_scale, pre_chat';

interface SiteRow {
  id: string;
  key: string;
  allowed_origins: string;
  identity_secret: string | null;
  requires_identity: number;
  business_hours: string | null;
  theme: string | null;
  rating_scale: string | null;
  pre_chat: string | null;
}

interface VisitorRow {
  id: string;
  site_id: string;
  created_at: number;
  external_id: string | null;
}

function toVisitor(row: VisitorRow): Visitor {
  const visitor: Visitor = { id: row.id, siteId: row.site_id, createdAt: row.created_at };
  if (row.external_id !== null) visitor.externalId = row.external_id;
  return visitor;
}

function unavailable(cause: unknown): ParleyError {
  return new ParleyError('STORAGE_UNAVAILABLE', 'the database is unavailable', { cause, retryable: true });
}

/** Rows are a boundary too: a corrupt JSON column becomes STORAGE_UNAVAILABLE, not a crash deep in a handler. */
function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw unavailable(err);
  }
}

function toConversation(row: ConversationRow): Conversation {
  if (!STATUSES.includes(row.status as ConversationStatus)) throw unavailable(new Error(`bad status ${row.status}`));
  const conversation: Conversation = {
    id: row.id,
    siteId: row.site_id,
    visitorId: row.visitor_id,
    status: row.status as ConversationStatus,
    lastSeq: row.last_seq,
    createdAt: row.created_at,
    profile: parseJson<VisitorProfile>(row.profile, {}),
    visitorReadSeq: row.visitor_read_seq,
    agentReadSeq: row.agent_read_seq,
  };
  if (row.agent_id !== null) {
    conversation.agent = { id: row.agent_id, name: row.agent_name ?? '' };
    if (row.agent_avatar_url !== null) conversation.agent.avatarUrl = row.agent_avatar_url;
  }
  if (row.escalation_reason !== null) conversation.escalationReason = row.escalation_reason as EscalationReason;
  if (row.queued_at !== null) conversation.queuedAt = row.queued_at;
  return conversation;
}

interface NoteRow {
  conversation_id: string;
  client_id: string;
  author_id: string;
  author_name: string | null;
  text: string;
  at: number;
}

function toNote(row: NoteRow): Note {
  const author: Note['author'] = { role: 'agent', id: row.author_id };
  if (row.author_name !== null) author.name = row.author_name;
  return { conversationId: row.conversation_id, clientId: row.client_id, author, text: row.text, at: row.at };
}

function toMessage(row: MessageRow): Message {
  const message: Message = {
    conversationId: row.conversation_id,
    seq: row.seq,
    clientId: row.client_id,
    author: { role: row.author_role as Message['author']['role'], id: row.author_id },
    kind: row.kind as Message['kind'],
    text: row.text,
    at: row.at,
  };
  if (row.author_name !== null) message.author.name = row.author_name;
  const attachments = parseJson<Attachment[] | null>(row.attachments, null);
  if (attachments !== null) message.attachments = attachments;
  const quickReplies = parseJson<string[] | null>(row.quick_replies, null);
  if (quickReplies !== null) message.quickReplies = quickReplies;
  return withEventCode(message);
}

interface PendingAppend {
  input: NewMessage;
  resolve: (value: { message: Message; duplicate: boolean }) => void;
  reject: (err: unknown) => void;
}

const CONVERSATION_SELECT = `
  SELECT c.id, c.site_id, c.visitor_id, c.status, c.last_seq, c.created_at, c.profile, c.agent_id,
         a.name AS agent_name, a.avatar_url AS agent_avatar_url, c.escalation_reason, c.queued_at,
         c.visitor_read_seq, c.agent_read_seq
  FROM conversations c LEFT JOIN agents a ON a.id = c.agent_id`;

/**
 * Opens (creating if needed) a SQLite database and migrates it. Synchronous, so a server can be built in one call.
 * @example
 * const storage = createSqliteStorage({ path: './.parley-data/parley.db' });
 */
export function createSqliteStorage(options: SqliteStorageOptions): Storage {
  const now = options.now ?? Date.now;
  let db: Database.Database;
  try {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    db = new Database(options.path);
    db.pragma('journal_mode = WAL');
    // FULL: a commit is fsynced before it returns, which is what "ack only after the write is durable" needs.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
  } catch (err) {
    throw err instanceof ParleyError ? err : unavailable(err);
  }
  // Message batches are fsynced off the event loop (wal-sync.ts); every other write stays synchronous=FULL.
  // An in-memory database has no WAL file and keeps the plain path.
  const walSync: WalSync | undefined =
    db.pragma('journal_mode', { simple: true }) === 'wal' ? createWalSync(`${resolve(options.path)}-wal`) : undefined;
  const deferSync = db.prepare('PRAGMA synchronous = NORMAL');
  // SQLite's automatic checkpoint would run inside a commit on the event loop (page copies plus two fsyncs: tens of
  // ms under load); a worker thread does it instead. Should the worker fail, this connection takes the job back.
  let checkpointer: WalCheckpointer | undefined;
  /** True while the checkpointer copies the WAL's tail: queued appends wait (see wal-checkpointer.ts). */
  let isQuiet = false;
  if (walSync !== undefined) {
    db.pragma('wal_autocheckpoint = 0');
    const reportError = options.onError ?? ((err: Error) => process.stderr.write(`parley: ${err.message}\n`));
    checkpointer = startWalCheckpointer({
      path: resolve(options.path),
      ...(options.checkpointIntervalMs === undefined ? {} : { intervalMs: options.checkpointIntervalMs }),
      onQuietRequest: (ready) => {
        isQuiet = true;
        ready();
      },
      onQuietEnd: () => {
        isQuiet = false;
        if (pending.length > 0) flushScheduled ??= setImmediate(flushQueued);
      },
      onError: (err) => {
        reportError(err);
        if (db.open) db.pragma('wal_autocheckpoint = 1000');
      },
    });
  }
  const fullSync = db.prepare('PRAGMA synchronous = FULL');
  const outbox = createSqliteOutboxStage(db);

  const q = {
    siteByKey: db.prepare<[string], SiteRow>(`SELECT ${SITE_COLUMNS} FROM sites WHERE key = ?`),
    siteById: db.prepare<[string], SiteRow>(`SELECT ${SITE_COLUMNS} FROM sites WHERE id = ?`),
    allSites: db.prepare<[], SiteRow>(`SELECT ${SITE_COLUMNS} FROM sites ORDER BY created_at ASC, rowid ASC`),
    insertSite: db.prepare(
      'INSERT INTO sites (id, key, allowed_origins, identity_secret, requires_identity, business_hours, theme, rating_scale, pre_chat, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    updateSite: db.prepare('UPDATE sites SET allowed_origins = ?, identity_secret = ?, requires_identity = ?, business_hours = ?, theme = ?, rating_scale = ?, pre_chat = ? WHERE id = ?'),
    siteFaq: db.prepare<[string], { site_id: string; source: string; updated_at: number }>('SELECT site_id, source, updated_at FROM site_faqs WHERE site_id = ?'),
    putSiteFaq: db.prepare(
      'INSERT INTO site_faqs (site_id, source, updated_at) VALUES (?, ?, ?) ON CONFLICT (site_id) DO UPDATE SET source = excluded.source, updated_at = excluded.updated_at',
    ),
    insertVisitor: db.prepare('INSERT INTO visitors (id, site_id, created_at, external_id) VALUES (?, ?, ?, ?)'),
    visitorById: db.prepare<[string], VisitorRow>('SELECT id, site_id, created_at, external_id FROM visitors WHERE id = ?'),
    visitorByExternalId: db.prepare<[string, string], VisitorRow>(
      'SELECT id, site_id, created_at, external_id FROM visitors WHERE site_id = ? AND external_id = ?',
    ),
    bindVisitor: db.prepare('UPDATE visitors SET external_id = ? WHERE id = ? AND site_id = ? AND external_id IS NULL'),
    revokeAgentToken: db.prepare('UPDATE agents SET token_hash = ? WHERE id = ?'),
    deleteAgentSessions: db.prepare('DELETE FROM agent_sessions WHERE agent_id = ?'),
    insertAgent: db.prepare(
      `INSERT INTO agents (id, site_id, name, avatar_url, token_hash, email, password_hash, role, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    agentByHash: db.prepare<[string], AgentRow>(`SELECT ${AGENT_COLUMNS} FROM agents a WHERE a.token_hash = ?`),
    agentBySession: db.prepare<[string, number], AgentRow>(
      `SELECT ${AGENT_COLUMNS} FROM agent_sessions s JOIN agents a ON a.id = s.agent_id WHERE s.token_hash = ? AND s.expires_at > ?`,
    ),
    agentByEmail: db.prepare<[string], AgentRow & { password_hash: string | null }>(
      `SELECT ${AGENT_COLUMNS}, a.password_hash FROM agents a WHERE a.email = ?`,
    ),
    insertSession: db.prepare('INSERT INTO agent_sessions (token_hash, agent_id, expires_at) VALUES (?, ?, ?)'),
    deleteSession: db.prepare('DELETE FROM agent_sessions WHERE token_hash = ?'),
    deleteExpiredSessions: db.prepare('DELETE FROM agent_sessions WHERE expires_at <= ?'),
    insertPage: db.prepare('INSERT INTO conversation_pages (conversation_id, url, title, at) VALUES (?, ?, ?, ?)'),
    pagesOf: db.prepare<[string], { url: string; title: string | null; at: number }>(
      'SELECT url, title, at FROM conversation_pages WHERE conversation_id = ? ORDER BY at ASC, rowid ASC',
    ),
    closeDetails: db.prepare<[string], { transcript: string | null; closed_at: number | null; closed_by: string | null; close_reason: string | null }>(
      'SELECT transcript, closed_at, closed_by, close_reason FROM conversations WHERE id = ?',
    ),
    // Visitor name/e-mail live in the profile JSON; message text is searched only in text messages.
    searchConversations: db.prepare<
      { siteId: string; status: string | null; pattern: string | null; limit: number; offset: number },
      ConversationRow & { closed_at: number | null; rating: number | null; rating_scale: string | null; last_text: string | null; last_at: number | null; last_role: string | null }
    >(
      `SELECT c.id, c.site_id, c.visitor_id, c.status, c.last_seq, c.created_at, c.profile, c.agent_id,
              a.name AS agent_name, a.avatar_url AS agent_avatar_url, c.escalation_reason, c.queued_at,
              c.visitor_read_seq, c.agent_read_seq, c.closed_at, r.score AS rating, r.scale AS rating_scale,
              lm.text AS last_text, lm.at AS last_at, lm.author_role AS last_role
       FROM conversations c
       LEFT JOIN agents a ON a.id = c.agent_id
       LEFT JOIN ratings r ON r.conversation_id = c.id
       LEFT JOIN messages lm ON lm.conversation_id = c.id AND lm.seq = (
         SELECT MAX(seq) FROM messages m2 WHERE m2.conversation_id = c.id AND m2.kind = 'text')
       WHERE c.site_id = @siteId
         AND (@status IS NULL OR c.status = @status)
         AND (@pattern IS NULL
              OR lower(coalesce(json_extract(c.profile, '$.name'), '')) LIKE @pattern ESCAPE '\\'
              OR lower(coalesce(json_extract(c.profile, '$.email'), '')) LIKE @pattern ESCAPE '\\'
              OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.kind = 'text'
                         AND lower(m.text) LIKE @pattern ESCAPE '\\'))
       ORDER BY c.created_at DESC, c.rowid DESC
       LIMIT @limit OFFSET @offset`,
    ),
    ratingsSince: db.prepare<
      [string, number],
      { conversation_id: string; score: number; scale: string; comment: string | null; at: number; agent_id: string | null; agent_name: string | null; agent_avatar_url: string | null }
    >(
      `SELECT r.conversation_id, r.score, r.scale, r.comment, r.at, a.id AS agent_id, a.name AS agent_name, a.avatar_url AS agent_avatar_url
       FROM ratings r JOIN conversations c ON c.id = r.conversation_id LEFT JOIN agents a ON a.id = c.agent_id
       WHERE c.site_id = ? AND r.at >= ? ORDER BY r.at ASC, r.rowid ASC`,
    ),
    setAvailability: db.prepare('UPDATE agents SET availability = ? WHERE id = ?'),
    noteByClientId: db.prepare<[string, string], NoteRow>('SELECT * FROM notes WHERE conversation_id = ? AND client_id = ?'),
    insertNote: db.prepare('INSERT INTO notes (conversation_id, client_id, author_id, author_name, text, at) VALUES (?, ?, ?, ?, ?, ?)'),
    notesOf: db.prepare<[string, number], NoteRow>('SELECT * FROM notes WHERE conversation_id = ? ORDER BY at ASC, rowid ASC LIMIT ?'),
    conversationById: db.prepare<[string], ConversationRow>(`${CONVERSATION_SELECT} WHERE c.id = ?`),
    conversationByStart: db.prepare<[string, string], ConversationRow>(
      `${CONVERSATION_SELECT} WHERE c.visitor_id = ? AND c.start_client_id = ?`,
    ),
    insertConversation: db.prepare(
      `INSERT INTO conversations (id, site_id, visitor_id, start_client_id, status, created_at, profile)
       VALUES (?, ?, ?, ?, 'bot', ?, ?)`,
    ),
    statusAndSeq: db.prepare<[string], { status: string; last_seq: number }>(
      'SELECT status, last_seq FROM conversations WHERE id = ?',
    ),
    messageByClientId: db.prepare<[string, string], MessageRow>(
      'SELECT * FROM messages WHERE conversation_id = ? AND client_id = ?',
    ),
    /** Events (`?` = 1) are still written to a closed conversation; text is not. */
    bumpSeqIfOpen: db.prepare<[string, number], { last_seq: number }>(
      `UPDATE conversations SET last_seq = last_seq + 1 WHERE id = ? AND (status <> 'closed' OR ? = 1) RETURNING last_seq`,
    ),
    insertMessage: db.prepare(
      `INSERT INTO messages (conversation_id, seq, client_id, author_role, author_id, author_name, kind, text, attachments, quick_replies, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    messagesAfter: db.prepare<[string, number, number], MessageRow>(
      'SELECT * FROM messages WHERE conversation_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?',
    ),
    messagesBefore: db.prepare<[string, number, number], MessageRow>(
      'SELECT * FROM messages WHERE conversation_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
    ),
    markVisitorRead: db.prepare(
      'UPDATE conversations SET visitor_read_seq = MAX(visitor_read_seq, MIN(?, last_seq)) WHERE id = ?',
    ),
    markAgentRead: db.prepare(
      'UPDATE conversations SET agent_read_seq = MAX(agent_read_seq, MIN(?, last_seq)) WHERE id = ?',
    ),
    setProfile: db.prepare('UPDATE conversations SET profile = ? WHERE id = ?'),
    escalate: db.prepare(
      `UPDATE conversations SET status = ?, escalation_reason = ?, transcript = ?, profile = ?, queued_at = ?
       WHERE id = ? AND status IN ('bot', 'offline')`,
    ),
    queue: db.prepare<
      [string],
      { id: string; visitor_id: string; queued_at: number; escalation_reason: string; profile: string; transcript: string | null }
    >(
      `SELECT id, visitor_id, queued_at, escalation_reason, profile, transcript FROM conversations
       WHERE site_id = ? AND status = 'queued' ORDER BY queued_at ASC, rowid ASC`,
    ),
    // An offline message (left while nobody was online) is taken the same way; its time waiting is not a queue wait,
    // so it leaves assigned_at (the wait estimate's input) unset.
    assign: db.prepare(
      `UPDATE conversations SET status = 'assigned', agent_id = ?,
         assigned_at = CASE WHEN status = 'queued' THEN ? ELSE assigned_at END
       WHERE id = ? AND status IN ('queued', 'offline')`,
    ),
    close: db.prepare(
      `UPDATE conversations SET status = 'closed', closed_at = ?, closed_by = ?, close_reason = ?
       WHERE id = ? AND status <> 'closed'`,
    ),
    insertRating: db.prepare(
      'INSERT INTO ratings (conversation_id, score, scale, comment, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (conversation_id) DO NOTHING',
    ),
    ratingById: db.prepare<[string], { conversation_id: string; score: number; scale: string; comment: string | null; at: number }>(
      'SELECT conversation_id, score, scale, comment, at FROM ratings WHERE conversation_id = ?',
    ),
  };

  // Routing statements (RoutingStore); kept apart from `q` so the routing rules read in one place.
  const r = {
    touchAssigned: db.prepare('UPDATE agents SET last_assigned_at = ? WHERE id = ?'),
    presenceAvailability: db.prepare('UPDATE agent_presence SET availability = ? WHERE agent_id = ?'),
    putPresence: db.prepare(
      `INSERT INTO agent_presence (connection_id, agent_id, site_id, node_id, availability, connected_at, seen_at)
       VALUES (@connectionId, @agentId, @siteId, @nodeId, @availability, @at, @at)
       ON CONFLICT (connection_id) DO UPDATE SET availability = excluded.availability, seen_at = excluded.seen_at`,
    ),
    presenceAgent: db.prepare<[string], { agent_id: string }>('SELECT agent_id FROM agent_presence WHERE connection_id = ?'),
    deletePresence: db.prepare('DELETE FROM agent_presence WHERE connection_id = ?'),
    touchSeen: db.prepare('UPDATE agents SET last_seen_at = MAX(COALESCE(last_seen_at, 0), ?) WHERE id = ?'),
    renewNode: db.prepare('UPDATE agent_presence SET seen_at = ? WHERE node_id = ?'),
    foldLapsed: db.prepare(
      `UPDATE agents SET last_seen_at = MAX(COALESCE(last_seen_at, 0),
         (SELECT MAX(p.seen_at) FROM agent_presence p WHERE p.agent_id = agents.id AND p.seen_at < @before))
       WHERE id IN (SELECT agent_id FROM agent_presence WHERE seen_at < @before)`,
    ),
    deleteLapsed: db.prepare('DELETE FROM agent_presence WHERE seen_at < ?'),
    setCapacity: db.prepare('UPDATE agents SET capacity = ? WHERE id = ?'),
    loads: db.prepare<
      [string, number],
      { id: string; name: string; avatar_url: string | null; capacity: number; last_assigned_at: number | null; connected_at: number; rank: number; active: number }
    >(
      `SELECT a.id, a.name, a.avatar_url, a.capacity, a.last_assigned_at, MIN(p.connected_at) AS connected_at,
              MAX(CASE p.availability WHEN 'online' THEN 2 WHEN 'away' THEN 1 ELSE 0 END) AS rank,
              (SELECT COUNT(*) FROM conversations c WHERE c.agent_id = a.id AND c.status = 'assigned') AS active
       FROM agent_presence p JOIN agents a ON a.id = p.agent_id
       WHERE p.site_id = ? AND p.seen_at >= ?
       GROUP BY a.id`,
    ),
    onlineOnSiteOf: db.prepare<[string, string, number], { one: number }>(
      `SELECT 1 AS one FROM agent_presence p JOIN conversations c ON c.site_id = p.site_id
       WHERE c.id = ? AND p.agent_id = ? AND p.seen_at >= ? AND p.availability = 'online' LIMIT 1`,
    ),
    capacityOf: db.prepare<[string], { capacity: number; active: number }>(
      `SELECT a.capacity, (SELECT COUNT(*) FROM conversations c WHERE c.agent_id = a.id AND c.status = 'assigned') AS active
       FROM agents a WHERE a.id = ?`,
    ),
    oldestQueued: db.prepare<[string], { id: string }>(
      `SELECT id FROM conversations WHERE site_id = ? AND status = 'queued' ORDER BY queued_at ASC, rowid ASC LIMIT 1`,
    ),
    transferTo: db.prepare(`UPDATE conversations SET agent_id = ? WHERE id = ? AND status = 'assigned' AND agent_id = ?`),
    transferToQueue: db.prepare(
      `UPDATE conversations SET status = 'queued', agent_id = NULL, queued_at = ? WHERE id = ? AND status = 'assigned' AND agent_id = ?`,
    ),
    abandoned: db.prepare<
      { liveSince: number; goneBefore: number },
      { id: string; site_id: string; agent_id: string; agent_name: string; agent_avatar_url: string | null }
    >(
      `SELECT c.id, c.site_id, a.id AS agent_id, a.name AS agent_name, a.avatar_url AS agent_avatar_url
       FROM conversations c JOIN agents a ON a.id = c.agent_id
       WHERE c.status = 'assigned'
         AND NOT EXISTS (SELECT 1 FROM agent_presence p WHERE p.agent_id = a.id AND p.seen_at >= @liveSince)
         AND MAX(COALESCE(a.last_seen_at, 0),
                 COALESCE((SELECT MAX(p.seen_at) FROM agent_presence p WHERE p.agent_id = a.id), 0)) < @goneBefore
       ORDER BY c.rowid`,
    ),
    recentWaits: db.prepare<[string, number], { wait: number }>(
      `SELECT assigned_at - queued_at AS wait FROM conversations
       WHERE site_id = ? AND assigned_at IS NOT NULL AND queued_at IS NOT NULL AND assigned_at >= queued_at
       ORDER BY assigned_at DESC LIMIT ?`,
    ),
  };

  const toSite = (row: SiteRow): Site => {
    const site: Site = {
      id: row.id,
      key: row.key,
      allowedOrigins: parseJson<string[]>(row.allowed_origins, []),
      requiresIdentity: row.requires_identity === 1,
    };
    if (row.identity_secret !== null) site.identitySecret = row.identity_secret;
    const hours = parseJson<BusinessHours | null>(row.business_hours, null);
    if (hours !== null) site.businessHours = hours;
    const theme = parseJson<SiteTheme | null>(row.theme, null);
    if (theme !== null) site.theme = theme;
    if (isRatingScale(row.rating_scale)) site.ratingScale = row.rating_scale;
    const preChat = toPreChat(parseJson<unknown>(row.pre_chat, null));
    if (preChat !== undefined) site.preChat = preChat;
    return site;
  };

  /**
   * Every write transaction begins IMMEDIATE. A deferred one starts reading, and when it then writes while another
   * process (a second node on this file) holds the write lock, SQLite fails it with SQLITE_BUSY at once: the busy
   * timeout only covers a transaction that asks for the lock up front.
   */
  function writeTransaction<T>(body: () => T): T {
    return db.transaction(body).immediate();
  }

  /** Runs a synchronous body as the async API: driver errors become STORAGE_UNAVAILABLE. */
  function run<T>(body: () => T): Promise<T> {
    try {
      if (!db.open) throw unavailable(new Error('database closed'));
      return Promise.resolve(body());
    } catch (err) {
      return Promise.reject(err instanceof ParleyError ? err : unavailable(err));
    }
  }

  function getConversationSync(id: string): Conversation | undefined {
    const row = q.conversationById.get(id);
    return row === undefined ? undefined : toConversation(row);
  }

  /** Inserts one message inside the caller's transaction; domain refusals are thrown as ParleyError. */
  function insertOne(input: NewMessage): { message: Message; duplicate: boolean } {
    const existing = q.messageByClientId.get(input.conversationId, input.clientId);
    if (existing !== undefined) return { message: toMessage(existing), duplicate: true };
    // last_seq is bumped in the same transaction as the insert, so seqs have no gaps even if a write fails. One
    // statement checks the status and bumps: this runs once per message, on the event loop.
    const bumped = q.bumpSeqIfOpen.get(input.conversationId, input.kind === 'text' ? 0 : 1);
    if (bumped === undefined) {
      if (q.statusAndSeq.get(input.conversationId) === undefined) throw new ParleyError('CONVERSATION_NOT_FOUND', 'no such conversation');
      throw new ParleyError('CONVERSATION_CLOSED', 'the conversation is closed');
    }
    const seq = bumped.last_seq;
    const at = now();
    q.insertMessage.run(
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
    );
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
    return { message: withEventCode(message), duplicate: false };
  }

  // Group commit: every append of one event-loop turn shares one transaction (one fsync), then all are acked.
  let pending: PendingAppend[] = [];
  let flushScheduled: NodeJS.Immediate | undefined;

  /** The scheduled group commit; during a checkpoint's quiet window the queue keeps growing instead. */
  function flushQueued(): void {
    flushScheduled = undefined;
    // While an fsync runs, appends keep queueing and commit together when it ends: the ack waits for the next fsync
    // either way, and one larger transaction writes each touched page once instead of once per event-loop turn.
    if (!isQuiet && walSync?.isSyncing() !== true) flush();
  }

  function flush(): void {
    flushScheduled = undefined;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    const outcomes: Array<{ ok: true; value: { message: Message; duplicate: boolean } } | { ok: false; error: unknown }> = [];
    let deliveries: NewWebhookDelivery[] = [];
    try {
      if (!db.open) throw new Error('database closed');
      if (walSync !== undefined) deferSync.run();
      writeTransaction(() => {
        for (const item of batch) {
          try {
            const value = insertOne(item.input);
            outcomes.push({ ok: true, value });
            // The webhook rows share the batch's transaction and its fsync.
            if (!value.duplicate) outbox.write({ type: 'message.created', message: value.message });
          } catch (err) {
            // Domain refusals fail one item; anything else aborts the batch (rethrown → rollback).
            if (err instanceof ParleyError) outcomes.push({ ok: false, error: err });
            else throw err;
          }
        }
      });
      deliveries = outbox.take();
    } catch (err) {
      outbox.discard();
      const error = err instanceof ParleyError ? err : unavailable(err);
      for (const item of batch) item.reject(error);
      return;
    } finally {
      if (walSync !== undefined && db.open) fullSync.run();
    }
    const settle = (syncError?: Error): void => {
      // Written but not known to be on disk: refuse (retryable); the client's resend is acked as a duplicate.
      const error = syncError === undefined ? undefined : unavailable(syncError);
      // Not known durable: the rows stay leased, and are claimed again once the lease lapses.
      if (error === undefined) outbox.stored(deliveries);
      batch.forEach((item, i) => {
        const outcome = outcomes[i]!;
        if (error !== undefined) item.reject(error);
        else if (outcome.ok) item.resolve(outcome.value);
        else item.reject(outcome.error);
      });
    };
    // Acks wait for the WAL fsync; batches committed meanwhile share the next one.
    if (walSync === undefined) settle();
    else walSync.afterCommit(settle);
  }

  walSync?.onIdle(() => {
    if (pending.length > 0) flushScheduled ??= setImmediate(flushQueued);
  });

  /** A write outside the group-commit queue (assign, close): flush first so seqs keep arrival order. */
  function transact<T>(body: () => T): T {
    if (pending.length > 0) {
      if (flushScheduled !== undefined) clearImmediate(flushScheduled);
      flush();
    }
    // Appends still waiting for their fsync are acked (and broadcast) before this write's result.
    walSync?.syncNow();
    return writeTransaction(body);
  }

  /** A write transaction whose domain event goes to the webhook outbox: the rows are handed over once committed. */
  function withOutbox<T>(body: () => T): T {
    let result: T;
    try {
      result = body();
    } catch (err) {
      outbox.discard();
      throw err;
    }
    outbox.stored(outbox.take());
    return result;
  }

  function writeEvent(conversationId: string, author: Message['author'], text: string, code: MessageEventCode): Message {
    return insertOne({ conversationId, clientId: eventClientId(code), author, kind: 'event', text }).message;
  }

  const storage: Storage = {
    ...createSqliteWebhookOutbox(db, run),
    setWebhookOutbox: (writer) => outbox.setWriter(writer),
    getSiteByKey: (key) => run(() => {
      const row = q.siteByKey.get(key);
      return row === undefined ? undefined : toSite(row);
    }),
    getSite: (id) => run(() => {
      const row = q.siteById.get(id);
      return row === undefined ? undefined : toSite(row);
    }),
    getDefaultSite: () => run(() => {
      const row = q.siteByKey.get('demo');
      if (row === undefined) throw unavailable(new Error('default site missing'));
      return toSite(row);
    }),

    createSite: (input: NewSite) => run(() => {
      const site: Site = { id: `site_${randomUUID()}`, key: input.key, allowedOrigins: [...input.allowedOrigins], requiresIdentity: input.requiresIdentity ?? false };
      if (input.identitySecret !== undefined) site.identitySecret = input.identitySecret;
      if (input.businessHours !== undefined) site.businessHours = input.businessHours;
      if (input.theme !== undefined) site.theme = input.theme;
      if (input.ratingScale !== undefined) site.ratingScale = input.ratingScale;
      if (input.preChat?.length) site.preChat = [...input.preChat];
      if (q.siteByKey.get(input.key) !== undefined) throw new ParleyError('STORAGE_CONFLICT', `the site key "${input.key}" is taken`);
      q.insertSite.run(
        site.id,
        site.key,
        JSON.stringify(site.allowedOrigins),
        site.identitySecret ?? null,
        site.requiresIdentity ? 1 : 0,
        site.businessHours === undefined ? null : JSON.stringify(site.businessHours),
        site.theme === undefined ? null : JSON.stringify(site.theme),
        site.ratingScale ?? null,
        site.preChat === undefined ? null : JSON.stringify(site.preChat),
        now(),
      );
      return site;
    }),
    updateSite: (id, patch) => run(() =>
      writeTransaction(() => {
        const row = q.siteById.get(id);
        if (row === undefined) return undefined;
        const site = toSite(row);
        const allowedOrigins = patch.allowedOrigins ?? site.allowedOrigins;
        const secret = patch.identitySecret === undefined ? (site.identitySecret ?? null) : patch.identitySecret;
        const requiresIdentity = patch.requiresIdentity ?? site.requiresIdentity;
        const hours = patch.businessHours === undefined ? (site.businessHours ?? null) : patch.businessHours;
        const theme = patch.theme === undefined ? (site.theme ?? null) : patch.theme;
        const scale = patch.ratingScale === undefined ? (site.ratingScale ?? null) : patch.ratingScale;
        const preChat = patch.preChat === undefined ? (site.preChat ?? null) : patch.preChat?.length ? patch.preChat : null;
        q.updateSite.run(
          JSON.stringify(allowedOrigins),
          secret,
          requiresIdentity ? 1 : 0,
          hours === null ? null : JSON.stringify(hours),
          theme === null ? null : JSON.stringify(theme),
          scale,
          preChat === null ? null : JSON.stringify(preChat),
          id,
        );
        return toSite(q.siteById.get(id)!);
      }),
    ),
    listSites: () => run(() => q.allSites.all().map(toSite)),
    getSiteFaq: (siteId) => run(() => {
      const row = q.siteFaq.get(siteId);
      return row === undefined ? undefined : { siteId: row.site_id, source: row.source, updatedAt: row.updated_at };
    }),
    putSiteFaq: ({ siteId, source }) => run(() => {
      const faq = { siteId, source, updatedAt: now() };
      q.putSiteFaq.run(faq.siteId, faq.source, faq.updatedAt);
      return faq;
    }),

    createVisitor: (siteId) => run(() => {
      const visitor: Visitor = { id: `v_${randomUUID()}`, siteId, createdAt: now() };
      q.insertVisitor.run(visitor.id, visitor.siteId, visitor.createdAt, null);
      return visitor;
    }),
    getVisitor: (id) => run(() => {
      const row = q.visitorById.get(id);
      return row === undefined ? undefined : toVisitor(row);
    }),
    identifyVisitor: (input) => run(() =>
      writeTransaction(() => {
        const bound = q.visitorByExternalId.get(input.siteId, input.externalId);
        if (bound !== undefined) return toVisitor(bound);
        if (input.visitorId !== undefined && q.bindVisitor.run(input.externalId, input.visitorId, input.siteId).changes === 1) {
          return toVisitor(q.visitorById.get(input.visitorId)!);
        }
        const visitor: Visitor = { id: `v_${randomUUID()}`, siteId: input.siteId, createdAt: now(), externalId: input.externalId };
        q.insertVisitor.run(visitor.id, visitor.siteId, visitor.createdAt, visitor.externalId);
        return visitor;
      }),
    ),

    createAgent: (input) => run(() => {
      const role: AgentRole = input.role ?? 'agent';
      const agent: Agent = { id: `a_${randomUUID()}`, siteId: input.siteId, name: input.name, availability: 'offline', role };
      if (input.avatarUrl !== undefined) agent.avatarUrl = input.avatarUrl;
      if (input.email !== undefined) agent.email = input.email;
      q.insertAgent.run(
        agent.id,
        input.siteId,
        input.name,
        input.avatarUrl ?? null,
        input.tokenHash,
        input.email ?? null,
        input.passwordHash ?? null,
        role,
        now(),
      );
      return agent;
    }),
    getAgentByTokenHash: (tokenHash) => run(() => {
      const row = q.agentByHash.get(tokenHash) ?? q.agentBySession.get(tokenHash, now());
      return row === undefined ? undefined : toAgent(row);
    }),
    getAgentCredentials: (email) => run(() => {
      const row = q.agentByEmail.get(email);
      return row === undefined ? undefined : { agent: toAgent(row), passwordHash: row.password_hash ?? undefined };
    }),
    createAgentSession: (session) => run(() => {
      // Expired sessions are swept on the next login rather than by a timer.
      q.deleteExpiredSessions.run(now());
      q.insertSession.run(session.tokenHash, session.agentId, session.expiresAt);
    }),
    deleteAgentSession: (tokenHash) => run(() => {
      q.deleteSession.run(tokenHash);
    }),
    setAgentAvailability: (agentId, availability) => run(() =>
      writeTransaction(() => {
        q.setAvailability.run(availability, agentId);
        r.presenceAvailability.run(availability, agentId);
      }),
    ),
    revokeAgentCredentials: (agentId) => run(() =>
      writeTransaction(() => {
        // token_hash is NOT NULL UNIQUE: a random value no SHA-256 hex digest can equal stands in for "none".
        if (q.revokeAgentToken.run(`revoked:${randomUUID()}`, agentId).changes === 0) return false;
        q.deleteAgentSessions.run(agentId);
        return true;
      }),
    ),

    startConversation: (input) => run(() => withOutbox(() =>
      writeTransaction(() => {
        const existing = q.conversationByStart.get(input.visitorId, input.clientId);
        if (existing !== undefined) return { conversation: toConversation(existing), created: false };
        const id = `c_${randomUUID()}`;
        q.insertConversation.run(id, input.siteId, input.visitorId, input.clientId, now(), JSON.stringify(input.profile ?? {}));
        const conversation = getConversationSync(id)!;
        outbox.write({ type: 'conversation.created', conversation });
        return { conversation, created: true };
      }),
    )),
    getConversation: (id) => run(() => getConversationSync(id)),

    appendMessage: (input) => {
      if (!db.open) return Promise.reject(unavailable(new Error('database closed')));
      return new Promise((resolve, reject) => {
        pending.push({ input, resolve, reject });
        flushScheduled ??= setImmediate(flushQueued);
      });
    },
    listMessages: (query) => run((): MessagePage => {
      const limit = Math.max(1, Math.floor(query.limit));
      if (query.afterSeq !== undefined) {
        const rows = q.messagesAfter.all(query.conversationId, query.afterSeq, limit + 1);
        return { messages: rows.slice(0, limit).map(toMessage), hasMore: rows.length > limit };
      }
      const before = query.beforeSeq ?? Number.MAX_SAFE_INTEGER;
      const rows = q.messagesBefore.all(query.conversationId, before, limit + 1);
      return { messages: rows.slice(0, limit).reverse().map(toMessage), hasMore: rows.length > limit };
    }),

    markRead: (conversationId, role, upToSeq) => run(() => {
      (role === 'visitor' ? q.markVisitorRead : q.markAgentRead).run(upToSeq, conversationId);
      const conv = getConversationSync(conversationId);
      if (conv === undefined) throw new ParleyError('CONVERSATION_NOT_FOUND', 'no such conversation');
      return role === 'visitor' ? conv.visitorReadSeq : conv.agentReadSeq;
    }),
    recordPage: (conversationId, url, title) => run(() =>
      writeTransaction(() => {
        const conv = getConversationSync(conversationId);
        if (conv === undefined) throw new ParleyError('CONVERSATION_NOT_FOUND', 'no such conversation');
        const profile: VisitorProfile & { pageTitle?: string } = { ...conv.profile, page: url };
        if (title !== undefined) profile.pageTitle = title;
        q.setProfile.run(JSON.stringify(profile), conversationId);
        q.insertPage.run(conversationId, url, title ?? null, now());
      }),
    ),

    escalate: (input) => run(() => withOutbox(() =>
      transact((): Transition => {
        const before = getConversationSync(input.conversationId);
        if (before === undefined) return { changed: false, conversation: undefined };
        const profile = { ...before.profile, ...input.profile };
        const info = q.escalate.run(
          input.status ?? 'queued',
          input.reason,
          JSON.stringify(input.transcript),
          JSON.stringify(profile),
          now(),
          input.conversationId,
        );
        const conversation = getConversationSync(input.conversationId);
        if (info.changes === 1 && conversation !== undefined) outbox.write({ type: 'conversation.escalated', conversation, reason: input.reason });
        return { changed: info.changes === 1, conversation };
      }),
    )),
    listQueue: (siteId) => run(() =>
      q.queue.all(siteId).map(
        (row): QueuedConversation => ({
          conversationId: row.id,
          visitorId: row.visitor_id,
          queuedAt: row.queued_at,
          reason: row.escalation_reason as EscalationReason,
          profile: parseJson<VisitorProfile>(row.profile, {}),
          transcript: parseJson<TranscriptItem[]>(row.transcript, []),
        }),
      ),
    ),
    assign: (conversationId, agent: AgentInfo) => run(() => withOutbox(() =>
      transact((): Transition => {
        // The WHERE status='queued' makes this a compare-and-set: of two agents accepting at once, one changes a row.
        const at = now();
        const info = q.assign.run(agent.id, at, conversationId);
        if (info.changes !== 1) return { changed: false, conversation: getConversationSync(conversationId) };
        r.touchAssigned.run(at, agent.id);
        const author = { role: 'agent' as const, id: agent.id, name: agent.name };
        const event = writeEvent(conversationId, author, `${agent.name} joined the conversation`, 'joined');
        const conversation = getConversationSync(conversationId)!;
        outbox.write(assignedEvent(conversation, agent, at, 0));
        return { changed: true, conversation, event };
      }),
    )),
    closeConversation: (conversationId, by: Role, reason) => run(() => withOutbox(() =>
      transact((): Transition => {
        const before = getConversationSync(conversationId);
        if (before === undefined) return { changed: false, conversation: undefined };
        if (before.status === 'closed') return { changed: false, conversation: before };
        // The event is written before the status flips; text messages are refused once closed, events are not.
        const event = writeEvent(conversationId, { role: 'system', id: 'system' }, `Conversation closed by the ${by}`, 'closed');
        q.close.run(now(), by, reason ?? null, conversationId);
        const conversation = getConversationSync(conversationId)!;
        outbox.write({ type: 'conversation.closed', conversation, closedBy: by, ...(reason === undefined ? {} : { reason }) });
        return { changed: true, conversation, event };
      }),
    )),
    searchConversations: (query) => run(() =>
      q.searchConversations
        .all({
          siteId: query.siteId,
          status: query.status ?? null,
          pattern: query.q === undefined || query.q.trim() === '' ? null : likePattern(query.q.trim()),
          limit: Math.max(1, Math.floor(query.limit)),
          offset: Math.max(0, Math.floor(query.offset ?? 0)),
        })
        .map((row): ConversationSummary => {
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
          if (row.closed_at !== null) summary.closedAt = row.closed_at;
          if (row.rating !== null) {
            summary.rating = row.rating;
            summary.ratingScale = toRatingScale(row.rating_scale);
          }
          if (row.last_text !== null && row.last_at !== null && row.last_role !== null) {
            summary.lastMessage = { text: row.last_text, at: row.last_at, role: row.last_role as Message['author']['role'] };
          }
          return summary;
        }),
    ),
    getConversationDetail: (id) => run(() => {
      const conv = getConversationSync(id);
      if (conv === undefined) return undefined;
      const extra = q.closeDetails.get(id)!;
      const detail: ConversationDetail = {
        ...conv,
        transcript: parseJson<TranscriptItem[]>(extra.transcript, []),
        pages: q.pagesOf.all(id).map((p): PageVisit => (p.title === null ? { url: p.url, at: p.at } : { url: p.url, title: p.title, at: p.at })),
      };
      const rating = q.ratingById.get(id);
      if (rating !== undefined) {
        detail.rating = { conversationId: rating.conversation_id, score: rating.score, scale: toRatingScale(rating.scale), at: rating.at };
        if (rating.comment !== null) detail.rating.comment = rating.comment;
      }
      if (extra.closed_at !== null) detail.closedAt = extra.closed_at;
      if (extra.closed_by === 'visitor' || extra.closed_by === 'agent') detail.closedBy = extra.closed_by;
      if (extra.close_reason !== null) detail.closeReason = extra.close_reason;
      return detail;
    }),
    listRatings: (query) => run(() =>
      q.ratingsSince.all(query.siteId, query.sinceMs).map((row): RatingRecord => {
        const record: RatingRecord = { conversationId: row.conversation_id, score: row.score, scale: toRatingScale(row.scale), at: row.at };
        if (row.comment !== null) record.comment = row.comment;
        if (row.agent_id !== null) {
          record.agent = { id: row.agent_id, name: row.agent_name ?? '' };
          if (row.agent_avatar_url !== null) record.agent.avatarUrl = row.agent_avatar_url;
        }
        return record;
      }),
    ),
    addNote: (input) => run(() =>
      writeTransaction((): { note: Note; duplicate: boolean } => {
        const existing = q.noteByClientId.get(input.conversationId, input.clientId);
        if (existing !== undefined) return { note: toNote(existing), duplicate: true };
        if (q.statusAndSeq.get(input.conversationId) === undefined) throw new ParleyError('CONVERSATION_NOT_FOUND', 'no such conversation');
        const at = now();
        q.insertNote.run(input.conversationId, input.clientId, input.author.id, input.author.name ?? null, input.text, at);
        const note: Note = { conversationId: input.conversationId, clientId: input.clientId, author: { ...input.author, role: 'agent' }, text: input.text, at };
        return { note, duplicate: false };
      }),
    ),
    listNotes: (conversationId, limit) => run(() => q.notesOf.all(conversationId, Math.max(1, Math.floor(limit))).map(toNote)),
    rate: (input) => run(() => withOutbox(() =>
      writeTransaction(() => {
        if (getConversationSync(input.conversationId) === undefined) {
          throw new ParleyError('CONVERSATION_NOT_FOUND', 'no such conversation');
        }
        const info = q.insertRating.run(input.conversationId, input.score, input.scale ?? 'csat', input.comment ?? null, now());
        const row = q.ratingById.get(input.conversationId)!;
        const rating: Rating = { conversationId: row.conversation_id, score: row.score, scale: toRatingScale(row.scale), at: row.at };
        if (row.comment !== null) rating.comment = row.comment;
        if (info.changes === 1) outbox.write({ type: 'rating.created', rating });
        return { rating, created: info.changes === 1 };
      }),
    )),

    putAgentPresence: (lease) => run(() => {
      r.putPresence.run(lease);
    }),
    removeAgentPresence: (connectionId, at) => run(() =>
      writeTransaction(() => {
        const row = r.presenceAgent.get(connectionId);
        if (row === undefined) return;
        r.deletePresence.run(connectionId);
        r.touchSeen.run(at, row.agent_id);
      }),
    ),
    renewNodePresence: (nodeId, at) => run(() => {
      r.renewNode.run(at, nodeId);
    }),
    setAgentCapacity: (agentId, capacity) => run(() => {
      r.setCapacity.run(capacity, agentId);
    }),
    purgeLapsedPresence: (beforeMs) => run(() =>
      writeTransaction(() => {
        r.foldLapsed.run({ before: beforeMs });
        r.deleteLapsed.run(beforeMs);
      }),
    ),
    listAgentLoads: (siteId, liveSinceMs) => run(() =>
      r.loads.all(siteId, liveSinceMs).map((row): AgentLoad => {
        const agent: AgentInfo = row.avatar_url === null ? { id: row.id, name: row.name } : { id: row.id, name: row.name, avatarUrl: row.avatar_url };
        return {
          agent,
          availability: row.rank === 2 ? 'online' : row.rank === 1 ? 'away' : 'offline',
          capacity: row.capacity,
          activeCount: row.active,
          idleSinceMs: Math.max(row.last_assigned_at ?? 0, row.connected_at),
        };
      }),
    ),
    assignNext: (siteId, agent) => run(() => withOutbox(() =>
      // SQLite has one writer at a time: inside this transaction nobody else can count or assign.
      transact((): AssignNextResult => {
        const load = r.capacityOf.get(agent.id);
        if (load === undefined || load.active >= load.capacity) return { kind: 'full' };
        const next = r.oldestQueued.get(siteId);
        if (next === undefined) return { kind: 'empty' };
        const at = now();
        if (q.assign.run(agent.id, at, next.id).changes !== 1) return { kind: 'empty' };
        r.touchAssigned.run(at, agent.id);
        const author = { role: 'agent' as const, id: agent.id, name: agent.name };
        const event = writeEvent(next.id, author, `${agent.name} joined the conversation`, 'joined');
        const conversation = getConversationSync(next.id)!;
        outbox.write(assignedEvent(conversation, agent, at, 0));
        return { kind: 'assigned', transition: { changed: true, conversation, event } };
      }),
    )),
    transfer: (conversationId, fromAgentId, from, target) => run(() =>
      transact((): TransferResult => {
        const to = target?.agent;
        if (target !== undefined && to !== undefined) {
          if (r.onlineOnSiteOf.get(conversationId, to.id, target.liveSinceMs) === undefined) {
            return { changed: false, conversation: getConversationSync(conversationId), refusal: 'agent_unavailable' };
          }
          const load = r.capacityOf.get(to.id);
          if (load === undefined || load.active >= load.capacity) return { changed: false, conversation: getConversationSync(conversationId), refusal: 'agent_full' };
        }
        const info = to === undefined ? r.transferToQueue.run(now(), conversationId, fromAgentId) : r.transferTo.run(to.id, conversationId, fromAgentId);
        if (info.changes !== 1) return { changed: false, conversation: getConversationSync(conversationId), refusal: 'not_assigned' };
        const author = { role: 'agent' as const, id: from.id, name: from.name };
        const text = to === undefined ? `${from.name} put the conversation back in the queue` : `${from.name} transferred the conversation to ${to.name}`;
        const event = writeEvent(conversationId, author, text, to === undefined ? 'requeued' : 'transferred');
        return { changed: true, conversation: getConversationSync(conversationId), event };
      }),
    ),
    requeueAbandoned: ({ liveSinceMs, goneBeforeMs }) => run(() =>
      transact((): RequeuedConversation[] => {
        const moved: RequeuedConversation[] = [];
        for (const row of r.abandoned.all({ liveSince: liveSinceMs, goneBefore: goneBeforeMs })) {
          if (r.transferToQueue.run(now(), row.id, row.agent_id).changes !== 1) continue;
          const agent: AgentInfo = row.agent_avatar_url === null ? { id: row.agent_id, name: row.agent_name } : { id: row.agent_id, name: row.agent_name, avatarUrl: row.agent_avatar_url };
          const event = writeEvent(row.id, { role: 'system', id: 'system' }, `${agent.name} left; waiting for another agent`, 'left');
          moved.push({ siteId: row.site_id, agent, transition: { changed: true, conversation: getConversationSync(row.id), event } });
        }
        return moved;
      }),
    ),
    listRecentWaits: (siteId, limit) => run(() => r.recentWaits.all(siteId, Math.max(1, Math.floor(limit))).map((row) => row.wait).reverse()),

    listVisitorConversations: (visitorId) => run(() =>
      db
        .prepare<[string], { id: string }>('SELECT id FROM conversations WHERE visitor_id = ? ORDER BY created_at ASC, rowid ASC')
        .all(visitorId)
        .map((row) => row.id),
    ),
    eraseVisitor: (visitorId) => run(() =>
      // transact() flushes queued appends first, so no message of this visitor lands after the delete.
      transact((): ErasureResult | undefined => {
        if (q.visitorById.get(visitorId) === undefined) return undefined;
        const ofVisitor = 'SELECT id FROM conversations WHERE visitor_id = ?';
        const attachmentUrls = db
          .prepare<[string], { attachments: string }>(
            `SELECT attachments FROM messages WHERE conversation_id IN (${ofVisitor}) AND attachments IS NOT NULL`,
          )
          .all(visitorId)
          .flatMap((row) => parseJson<Attachment[]>(row.attachments, []).map((a) => a.url));
        const messages = db.prepare(`DELETE FROM messages WHERE conversation_id IN (${ofVisitor})`).run(visitorId).changes;
        db.prepare(`DELETE FROM conversation_pages WHERE conversation_id IN (${ofVisitor})`).run(visitorId);
        db.prepare(`DELETE FROM ratings WHERE conversation_id IN (${ofVisitor})`).run(visitorId);
        const conversations = db.prepare('DELETE FROM conversations WHERE visitor_id = ?').run(visitorId).changes;
        db.prepare('DELETE FROM visitors WHERE id = ?').run(visitorId);
        return { conversations, messages, attachmentUrls };
      }),
    ),
    applyRetention: ({ closedBefore, limit }) => run(() =>
      transact((): RetentionResult => {
        const ids = db
          .prepare<[number, number], { id: string }>(
            `SELECT id FROM conversations WHERE status = 'closed' AND closed_at < ? ORDER BY closed_at ASC LIMIT ?`,
          )
          .all(closedBefore, Math.max(1, Math.floor(limit)))
          .map((row) => row.id);
        for (const id of ids) {
          db.prepare('DELETE FROM messages WHERE conversation_id = ?').run(id);
          db.prepare('DELETE FROM conversation_pages WHERE conversation_id = ?').run(id);
          db.prepare('DELETE FROM ratings WHERE conversation_id = ?').run(id);
          db.prepare('DELETE FROM conversations WHERE id = ?').run(id);
        }
        const visitors = db
          .prepare('DELETE FROM visitors WHERE created_at < ? AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.visitor_id = visitors.id)')
          .run(closedBefore).changes;
        return { conversations: ids.length, visitors };
      }),
    ),
    listAgents: (siteId) => run(() =>
      db
        .prepare<[string], AgentRow & { created_at: number; is_disabled: number }>(
          `SELECT ${AGENT_COLUMNS}, a.created_at,
                  (a.token_hash LIKE 'revoked:%' AND a.password_hash IS NULL) AS is_disabled
           FROM agents a WHERE a.site_id = ? ORDER BY a.created_at ASC, a.rowid ASC`,
        )
        .all(siteId)
        .map((row): AgentRecord => ({ ...toAgent(row), createdAt: row.created_at, disabled: row.is_disabled === 1 })),
    ),
    disableAgent: (agentId) => run(() =>
      writeTransaction(() => {
        // Same stand-in as revokeAgentCredentials: token_hash is NOT NULL UNIQUE and no SHA-256 hex equals it.
        const changed = db
          .prepare(`UPDATE agents SET token_hash = ?, password_hash = NULL, availability = 'offline' WHERE id = ?`)
          .run(`revoked:${randomUUID()}`, agentId).changes;
        if (changed === 0) return false;
        db.prepare('DELETE FROM agent_sessions WHERE agent_id = ?').run(agentId);
        return true;
      }),
    ),

    drain: async () => {
      // Whatever is queued, even while an fsync runs or a quiet window is open (flushQueued then leaves the queue
      // for later, with nothing scheduled): drain promises every append so far written and synced.
      if (flushScheduled !== undefined) clearImmediate(flushScheduled);
      if (pending.length > 0) flush();
      walSync?.syncNow();
    },
    close: async () => {
      await storage.drain();
      // Before the last connection closes: SQLite then checkpoints and removes the WAL itself.
      await checkpointer?.close();
      // The end of a quiet window may have let appends through meanwhile.
      await storage.drain();
      await walSync?.close();
      if (db.open) db.close();
    },
  };
  return storage;
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare<[], { version: number }>('SELECT version FROM schema_version').get();
  if (row === undefined) db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
  const current = row?.version ?? 0;
  if (current > MIGRATIONS.length) {
    throw new ParleyError(
      'STORAGE_UNAVAILABLE',
      `database schema version ${current} is newer than this server (${MIGRATIONS.length}); upgrade the server`,
    );
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.prepare('UPDATE schema_version SET version = ?').run(version + 1);
    })();
  }
}
