// The wire contract: every frame either side may send, as discriminated unions. Types only, plus the version.

/** Bumped only when a frame or field is removed or changes meaning. Adding frames keeps the version. */
export const PROTOCOL_VERSION = 1;

export type Role = 'visitor' | 'agent';
export type AuthorRole = Role | 'bot' | 'system';
export type ConversationStatus = 'bot' | 'queued' | 'assigned' | 'closed' | 'offline';
/** `event` messages are written by the server (agent joined, conversation closed) and shown as dividers. */
export type MessageKind = 'text' | 'event';
export type Availability = 'online' | 'away' | 'offline';
export type EscalationReason =
  | 'requested'
  | 'low_confidence'
  | 'out_of_scope'
  | 'asked_for_human'
  | 'repeated_miss'
  | 'negative_feedback';

export interface Author {
  role: AuthorRole;
  id: string;
  name?: string;
  avatarUrl?: string;
}

export interface Attachment {
  name: string;
  mime: string;
  size: number;
  url: string;
}

/** A stored message. `seq` is assigned by the server, per conversation, starting at 1 with no gaps. */
export interface Message {
  conversationId: string;
  seq: number;
  /** The sender's idempotency key; the server stores a message once per (conversationId, clientId). */
  clientId: string;
  author: Author;
  kind: MessageKind;
  text: string;
  /** Server time, ms since the epoch. */
  at: number;
  attachments?: Attachment[];
  /**
   * On `event` messages the server wrote: what happened, so clients can word it themselves (`text` stays the
   * server's English). Known codes are `MessageEventCode`; ignore any other (newer servers may add some).
   */
  event?: MessageEventCode | (string & {});
  /**
   * Short answers an agent offers (at most `maxQuickReplies`, each at most `maxQuickReplyLength`, not blank, no two
   * alike): the widget shows them as buttons under the latest message, and choosing one sends its text as the
   * shopper's message.
   */
  quickReplies?: string[];
}

/**
 * `joined`: an agent took the conversation (author: that agent); `left`: the agent was gone past the grace period
 * and the conversation went back to the queue; `requeued`: the agent put it back in the queue; `transferred`: the
 * agent handed it to another (who then joins); `closed`: closed by the visitor or an agent.
 */
export type MessageEventCode = 'joined' | 'left' | 'requeued' | 'transferred' | 'closed';

/** An agents-only remark on a conversation. Not a Message: it has no seq, so visitors' ordering never sees it. */
export interface Note {
  conversationId: string;
  /** The author's idempotency key; stored once per (conversationId, clientId). */
  clientId: string;
  author: Author;
  text: string;
  /** Server time, ms since the epoch. */
  at: number;
}

/** One step of self-service before the hand-off, so the agent sees what the shopper already tried. */
export interface TranscriptItem {
  kind: 'question' | 'answer' | 'feedback' | 'escalation';
  text: string;
  at: number;
  entryId?: string;
  confidence?: number;
  helpful?: boolean;
}

export interface VisitorProfile {
  name?: string;
  email?: string;
  locale?: string;
  page?: string;
  /**
   * The user id the site's backend vouched for (HMAC or JWT in `hello.identity`). Written by the server only: the
   * decoder drops it from client frames, so a visitor cannot claim it.
   */
  verifiedUserId?: string;
}

export interface AgentInfo {
  id: string;
  name: string;
  avatarUrl?: string;
}

export interface ConversationInfo {
  id: string;
  status: ConversationStatus;
  /** Highest seq stored; a client that saw it has everything. */
  lastSeq: number;
  createdAt: number;
  visitorId: string;
  agent?: AgentInfo;
  escalationReason?: EscalationReason;
}

export interface QueueEntry {
  conversationId: string;
  position: number;
  /** Estimated seconds until an agent joins. */
  etaSeconds: number;
  waitingSince: number;
  reason: EscalationReason;
  visitor: VisitorProfile;
  transcript: TranscriptItem[];
}

export interface ResumePoint {
  conversationId: string;
  afterSeq: number;
}

// ---------------------------------------------------------------------------------------------------------
// Client → server. Every client frame carries `ref`; replies and errors echo it.

export interface HelloFrame {
  type: 'hello';
  ref: string;
  v: number;
  role: Role;
  /** Visitor or agent token. A visitor without one gets a fresh visitor token in `welcome`. */
  token?: string;
  /** The site's public key (visitors only): which site's rules apply. */
  siteKey?: string;
  /** Conversations to rejoin, each from the last seq this client saw. */
  resume?: ResumePoint[];
  /** The shopper's identity as signed by the site's backend (visitors only). Required when the site says so. */
  identity?: VisitorIdentity;
}

/**
 * A shopper identity proven by the site's backend with the site's identity secret, in one of two forms:
 * `{ userId, hmac }` where `hmac` is hex HMAC-SHA256(userId) (long-lived, like the user id), or `{ jwt }`, an HS256
 * JWT whose `sub` is the user id and which carries `exp` (short-lived). Give exactly one of `hmac` and `jwt`.
 */
export interface VisitorIdentity {
  userId?: string;
  hmac?: string;
  jwt?: string;
}

export interface PingFrame {
  type: 'ping';
  ref: string;
}

export interface ConversationStartFrame {
  type: 'conversation.start';
  ref: string;
  /** Idempotency key: retrying a start with the same clientId returns the same conversation. */
  clientId: string;
  profile?: VisitorProfile;
}

export interface ConversationJoinFrame {
  type: 'conversation.join';
  ref: string;
  conversationId: string;
  afterSeq: number;
}

export interface MessageSendFrame {
  type: 'message.send';
  ref: string;
  conversationId: string;
  clientId: string;
  text: string;
  attachments?: Attachment[];
  /** Agents only (a visitor's are refused with AUTH_FORBIDDEN); see `Message.quickReplies`. */
  quickReplies?: string[];
}

export interface HistoryGetFrame {
  type: 'history.get';
  ref: string;
  conversationId: string;
  /** Page forward from here (exclusive)... */
  afterSeq?: number;
  /** ...or backward from here (exclusive). */
  beforeSeq?: number;
  limit?: number;
}

export interface TypingFrame {
  type: 'typing';
  ref: string;
  conversationId: string;
  isTyping: boolean;
}

export interface ReadFrame {
  type: 'read';
  ref: string;
  conversationId: string;
  upToSeq: number;
}

export interface EscalateFrame {
  type: 'conversation.escalate';
  ref: string;
  conversationId: string;
  reason: EscalationReason;
  transcript: TranscriptItem[];
  profile?: VisitorProfile;
}

export interface AcceptFrame {
  type: 'conversation.accept';
  ref: string;
  conversationId: string;
}

export interface CloseFrame {
  type: 'conversation.close';
  ref: string;
  conversationId: string;
  reason?: string;
}

/**
 * How a site asks for a rating: `csat` satisfaction 1 (bad) to 5 (great), the default; `ces` customer effort 1 (very
 * hard) to 7 (very easy); `nps` likelihood to recommend 0 (not at all) to 10 (extremely).
 */
export type RatingScale = 'csat' | 'ces' | 'nps';

export interface RateFrame {
  type: 'rating.submit';
  ref: string;
  conversationId: string;
  /** On the site's scale (see `RatingScale`); the decoder takes 0–10, the server checks the site's range. */
  score: number;
  /**
   * The scale the shopper was shown. The server refuses it with RATING_OUT_OF_SCALE unless it is the site's scale
   * (the widget's config was stale or its fetch failed). Absent (older clients): only the score's range is checked.
   */
  scale?: RatingScale;
  comment?: string;
}

export interface AvailabilityFrame {
  type: 'agent.availability';
  ref: string;
  availability: Availability;
  capacity?: number;
}

export interface PageViewFrame {
  type: 'visitor.page';
  ref: string;
  conversationId: string;
  url: string;
  title?: string;
}

/**
 * The assigned agent hands the conversation to another agent of the site, or back to the queue when `toAgentId`
 * is absent. Reply `ok`; the visitor gets `agent.left` (and `agent.joined` for the new agent).
 */
export interface TransferFrame {
  type: 'conversation.transfer';
  ref: string;
  conversationId: string;
  toAgentId?: string;
}

/**
 * An agent adds an internal note to a conversation of their site. Notes are agents-only: they live outside the
 * message seq (a visitor's transport never sees a gap), are never sent to a visitor's socket, and are never in
 * `history.get` or resume replay. Idempotent on (conversationId, clientId). Reply `note.new` with the ref.
 */
export interface NoteAddFrame {
  type: 'note.add';
  ref: string;
  conversationId: string;
  clientId: string;
  text: string;
}

/**
 * The visitor asks for a closed conversation's transcript by e-mail, to `email`. Reply `ok` once the mail server took
 * it. Refused with `EMAIL_UNAVAILABLE` when the server has no mail set up (its public site config then says
 * `transcriptEmail: false`), `EMAIL_INVALID` for an address that is not one, `CONVERSATION_NOT_CLOSED` before the close,
 * and `RATE_LIMITED` past a few per visitor and per conversation.
 */
export interface TranscriptEmailFrame {
  type: 'transcript.email';
  ref: string;
  conversationId: string;
  email: string;
}

export type ClientFrame =
  | HelloFrame
  | PingFrame
  | ConversationStartFrame
  | ConversationJoinFrame
  | MessageSendFrame
  | HistoryGetFrame
  | TypingFrame
  | ReadFrame
  | EscalateFrame
  | AcceptFrame
  | CloseFrame
  | RateFrame
  | AvailabilityFrame
  | PageViewFrame
  | TransferFrame
  | NoteAddFrame
  | TranscriptEmailFrame;

export type ClientFrameType = ClientFrame['type'];

// ---------------------------------------------------------------------------------------------------------
// Server → client. Replies carry the request's `ref`; pushes carry none.

export interface WelcomeFrame {
  type: 'welcome';
  ref: string;
  v: number;
  role: Role;
  /** visitorId or agentId. */
  subjectId: string;
  /** A fresh token when the server issued or rotated one; store it and use it next time. */
  token?: string;
  tokenExpiresAt?: number;
  heartbeatMs: number;
}

export interface PongFrame {
  type: 'pong';
  ref: string;
}

export interface ConversationJoinedFrame {
  type: 'conversation.joined';
  /** Absent when the join came from `hello.resume`. */
  ref?: string;
  conversation: ConversationInfo;
}

export interface MessageAckFrame {
  type: 'message.ack';
  ref: string;
  conversationId: string;
  clientId: string;
  seq: number;
  at: number;
  /** True when the server already had this clientId: the earlier seq is returned, nothing is stored twice. */
  duplicate?: boolean;
}

export interface MessageNewFrame {
  type: 'message.new';
  message: Message;
}

export interface HistoryPageFrame {
  type: 'history.page';
  ref: string;
  conversationId: string;
  messages: Message[];
  hasMore: boolean;
}

export interface TypingEventFrame {
  type: 'typing.update';
  conversationId: string;
  author: Author;
  isTyping: boolean;
}

export interface ReadEventFrame {
  type: 'read.update';
  conversationId: string;
  role: Role;
  upToSeq: number;
}

export interface PresenceFrame {
  type: 'presence.update';
  conversationId: string;
  role: Role;
  isOnline: boolean;
}

export interface EscalatedFrame {
  type: 'conversation.escalated';
  ref?: string;
  conversationId: string;
  reason: EscalationReason;
  /** 'offline' when no agent can take it now: the visitor should leave a message. */
  status: 'queued' | 'offline';
}

export interface QueueUpdateFrame {
  type: 'queue.update';
  conversationId: string;
  position: number;
  etaSeconds: number;
}

export interface QueueSnapshotFrame {
  type: 'queue.snapshot';
  entries: QueueEntry[];
}

export interface AssignedFrame {
  type: 'conversation.assigned';
  ref?: string;
  conversationId: string;
  agent: AgentInfo;
}

export interface AgentJoinedFrame {
  type: 'agent.joined';
  conversationId: string;
  agent: AgentInfo;
}

export interface AgentLeftFrame {
  type: 'agent.left';
  conversationId: string;
  agent: AgentInfo;
}

export interface ClosedFrame {
  type: 'conversation.closed';
  ref?: string;
  conversationId: string;
  by: Role;
  reason?: string;
}

export interface RatedFrame {
  type: 'rating.created';
  ref?: string;
  conversationId: string;
  score: number;
  comment?: string;
  /** The scale the score is on; absent from servers older than scales (read it as `csat`). */
  scale?: RatingScale;
}

export interface ResultFrame {
  type: 'ok';
  ref: string;
}

export interface TokenRotatedFrame {
  type: 'token.rotated';
  token: string;
  expiresAt: number;
}

export interface ErrorFrame {
  type: 'error';
  /** The ref of the request that failed; absent when the frame had none or could not be read. */
  ref?: string;
  code: string;
  message: string;
  retryable?: boolean;
  conversationId?: string;
}

/** An internal note, to agents only: the reply to `note.add` (with its ref) and a push to every agent of the site. */
export interface NoteNewFrame {
  type: 'note.new';
  ref?: string;
  note: Note;
}

export type ServerFrame =
  | WelcomeFrame
  | PongFrame
  | ConversationJoinedFrame
  | MessageAckFrame
  | MessageNewFrame
  | HistoryPageFrame
  | TypingEventFrame
  | ReadEventFrame
  | PresenceFrame
  | EscalatedFrame
  | QueueUpdateFrame
  | QueueSnapshotFrame
  | AssignedFrame
  | AgentJoinedFrame
  | AgentLeftFrame
  | ClosedFrame
  | RatedFrame
  | ResultFrame
  | TokenRotatedFrame
  | ErrorFrame
  | NoteNewFrame;

export type ServerFrameType = ServerFrame['type'];
