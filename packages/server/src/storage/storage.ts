// The Storage interface and its domain types. Adapters (sqlite.ts, later postgres.ts) implement it and pass the
// contract suite in storage-contract.ts. No driver types leak through here.

import type {
  AgentInfo,
  Attachment,
  Author,
  Availability,
  ConversationStatus,
  EscalationReason,
  Message,
  MessageKind,
  Role,
  TranscriptItem,
  VisitorProfile,
} from '@parley/protocol';

export interface Site {
  id: string;
  /** The public key a widget sends in `hello.siteKey`. */
  key: string;
  /** Origins allowed to open visitor sockets for this site; `['*']` allows any. */
  allowedOrigins: string[];
}

export interface Visitor {
  id: string;
  siteId: string;
  createdAt: number;
}

export interface Agent extends AgentInfo {
  siteId: string;
  availability: Availability;
}

export interface Conversation {
  id: string;
  siteId: string;
  visitorId: string;
  status: ConversationStatus;
  lastSeq: number;
  createdAt: number;
  profile: VisitorProfile;
  agent?: AgentInfo;
  escalationReason?: EscalationReason;
  /** When the conversation entered the queue. */
  queuedAt?: number;
  visitorReadSeq: number;
  agentReadSeq: number;
}

export interface QueuedConversation {
  conversationId: string;
  visitorId: string;
  queuedAt: number;
  reason: EscalationReason;
  profile: VisitorProfile;
  transcript: TranscriptItem[];
}

export interface Rating {
  conversationId: string;
  score: number;
  comment?: string;
  at: number;
}

export interface NewMessage {
  conversationId: string;
  clientId: string;
  author: Author;
  kind: MessageKind;
  text: string;
  attachments?: Attachment[];
}

/** A page of messages, ascending by seq. */
export interface MessagePage {
  messages: Message[];
  hasMore: boolean;
}

/** Result of a state change that happens at most once (assign, close): `changed` is false for the losers. */
export interface Transition {
  changed: boolean;
  /** The conversation after the attempt; undefined when it does not exist. */
  conversation: Conversation | undefined;
  /** The `event` message written with the change, in the same transaction. */
  event?: Message;
}

/**
 * Where conversations and messages live. Every method is async and returns domain types. Failures of the
 * database reject with `ParleyError('STORAGE_UNAVAILABLE', …, { retryable: true })`; domain refusals reject with
 * the domain code (`CONVERSATION_NOT_FOUND`, `CONVERSATION_CLOSED`).
 */
export interface Storage {
  getSiteByKey(key: string): Promise<Site | undefined>;
  getSite(id: string): Promise<Site | undefined>;
  /** The site used when a visitor sends no `siteKey` (key `demo` until multi-site lands). */
  getDefaultSite(): Promise<Site>;

  createVisitor(siteId: string): Promise<Visitor>;
  getVisitor(id: string): Promise<Visitor | undefined>;

  createAgent(input: { siteId: string; name: string; tokenHash: string; avatarUrl?: string }): Promise<Agent>;
  getAgentByTokenHash(tokenHash: string): Promise<Agent | undefined>;
  setAgentAvailability(agentId: string, availability: Availability): Promise<void>;

  /** Idempotent on (visitorId, clientId): a retry returns the same conversation with `created: false`. */
  startConversation(input: {
    siteId: string;
    visitorId: string;
    clientId: string;
    profile?: VisitorProfile;
  }): Promise<{ conversation: Conversation; created: boolean }>;
  getConversation(id: string): Promise<Conversation | undefined>;

  /**
   * Stores a message once per (conversationId, clientId) and assigns the next seq. Resolves only once the write
   * is durable. A resend resolves with the stored message and `duplicate: true`. Text messages to a closed
   * conversation reject with `CONVERSATION_CLOSED`; unknown conversations with `CONVERSATION_NOT_FOUND`.
   */
  appendMessage(input: NewMessage): Promise<{ message: Message; duplicate: boolean }>;
  /** Forward from `afterSeq` (exclusive), or backward from `beforeSeq` (exclusive); always ascending. */
  listMessages(query: { conversationId: string; afterSeq?: number; beforeSeq?: number; limit: number }): Promise<MessagePage>;

  /** Raises the read marker of one side (never lowers it; clamps to lastSeq). Returns the stored marker. */
  markRead(conversationId: string, role: Role, upToSeq: number): Promise<number>;
  /** Records the page the visitor is on (shown to agents through the profile). */
  recordPage(conversationId: string, url: string, title?: string): Promise<void>;

  /** Moves a `bot`/`offline` conversation to `queued`, once; later calls change nothing. */
  escalate(input: {
    conversationId: string;
    reason: EscalationReason;
    transcript: TranscriptItem[];
    profile?: VisitorProfile;
  }): Promise<Transition>;
  /** Queued conversations of a site, oldest first. */
  listQueue(siteId: string): Promise<QueuedConversation[]>;
  /** Assigns a queued conversation to an agent: exactly one concurrent caller wins. */
  assign(conversationId: string, agent: AgentInfo): Promise<Transition>;
  /** Closes a conversation once. */
  closeConversation(conversationId: string, by: Role, reason?: string): Promise<Transition>;
  /** Stores a rating once per conversation; a second call returns the first with `created: false`. */
  rate(input: { conversationId: string; score: number; comment?: string }): Promise<{ rating: Rating; created: boolean }>;

  /** Finishes pending writes (acks included). Safe to call repeatedly. */
  drain(): Promise<void>;
  /** Drains, then releases the database. Further calls reject with `STORAGE_UNAVAILABLE`. */
  close(): Promise<void>;
}
