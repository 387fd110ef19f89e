import type { AgentInfo, Attachment, Author, Availability, ConversationStatus, EscalationReason, Message, MessageKind, RatingScale, Role, TranscriptItem, VisitorProfile } from '@parley/protocol';
import type { FaqStore } from './faq-store.js';
import type { NoteStore } from './note-store.js';
import type { WebhookOutboxStore } from './webhook-outbox-store.js';
import type { PrivacyStore } from './privacy-store.js';
import type { RoutingStore } from './routing-store.js';
export interface Site {
    id: string;
    /** The public key a widget sends in `hello.siteKey`. */
    key: string;
    /** Origins allowed to open visitor sockets for this site; `['*']` allows any. */
    allowedOrigins: string[];
    /**
     * Key the site's backend signs shopper identities with (HMAC-SHA256 of the user id, or an HS256 JWT). Stored as
     * given because verifying an HMAC needs the key itself. Absent: the site accepts no identities.
     */
    identitySecret?: string;
    /** When true, a visitor session needs a verified identity: `hello` without a valid one is refused. */
    requiresIdentity: boolean;
    /** When people answer chats; absent: no hours set (always open). Public (the widget may show it). */
    businessHours?: BusinessHours;
    /** How the widget looks on this site; public. */
    theme?: SiteTheme;
    /** How the widget asks for a rating after a chat; absent: `csat`. Public. */
    ratingScale?: RatingScale;
    /** What the widget asks before the hand-off; absent: nothing. Public. */
    preChat?: PreChatField[];
}
/** A field of the widget's pre-chat form. */
export type PreChatField = 'name' | 'email';
/** Weekly opening hours in one IANA time zone. */
export interface BusinessHours {
    /** IANA zone, e.g. `Europe/Lisbon`. */
    timezone: string;
    /** Open days; a weekday not listed is closed. `day` 0 = Sunday … 6 = Saturday; `open` < `close`, `HH:MM`. */
    days: Array<{
        day: number;
        open: string;
        close: string;
    }>;
}
/** The widget's look for a site (same names as the widget's own `theme` and `greeting` options). */
export interface SiteTheme {
    /** `#rgb` or `#rrggbb`. */
    color?: string;
    position?: 'left' | 'right';
    /** First bubble the shopper sees. */
    greeting?: string;
}
/** What `createSite` needs; `requiresIdentity` defaults to false. */
export interface NewSite {
    key: string;
    allowedOrigins: string[];
    identitySecret?: string;
    requiresIdentity?: boolean;
    businessHours?: BusinessHours;
    theme?: SiteTheme;
    ratingScale?: RatingScale;
    preChat?: PreChatField[];
}
/** Fields `updateSite` may change; `identitySecret: null` removes the secret. */
export interface SitePatch {
    allowedOrigins?: string[];
    identitySecret?: string | null;
    requiresIdentity?: boolean;
    /** `null` removes the hours. */
    businessHours?: BusinessHours | null;
    /** `null` removes the theme. */
    theme?: SiteTheme | null;
    /** `null` goes back to the default (`csat`). */
    ratingScale?: RatingScale | null;
    /** `null` (or `[]`) removes the form. */
    preChat?: PreChatField[] | null;
}
export interface Visitor {
    id: string;
    siteId: string;
    createdAt: number;
    /** The site's own user id, once a signed identity proved it; unique per site. */
    externalId?: string;
}
/** `admin` may see every agent's figures in the console; `agent` only their own. */
export type AgentRole = 'agent' | 'admin';
export interface Agent extends AgentInfo {
    siteId: string;
    availability: Availability;
    role: AgentRole;
    /** Login e-mail, stored lowercased; absent for token-only agents. */
    email?: string;
}
/** A console login session: a random token, stored as its SHA-256, valid until `expiresAt`. */
export interface AgentSession {
    agentId: string;
    tokenHash: string;
    expiresAt: number;
}
/** One page the visitor was on during a conversation (`visitor.page`), oldest first. */
export interface PageVisit {
    url: string;
    title?: string;
    at: number;
}
/** A row of the console's history list. */
export interface ConversationSummary {
    id: string;
    status: ConversationStatus;
    createdAt: number;
    lastSeq: number;
    profile: VisitorProfile;
    agent?: AgentInfo;
    escalationReason?: EscalationReason;
    closedAt?: number;
    /** The latest text message, for the list preview. */
    lastMessage?: {
        text: string;
        at: number;
        role: Author['role'];
    };
    rating?: number;
    /** The scale `rating` was given on. */
    ratingScale?: RatingScale;
}
/** Everything the console shows about one conversation besides its messages. */
export interface ConversationDetail extends Conversation {
    /** The self-service transcript carried by the hand-off; empty when it never escalated. */
    transcript: TranscriptItem[];
    pages: PageVisit[];
    rating?: Rating;
    closedAt?: number;
    closedBy?: Role;
    closeReason?: string;
}
/** History search: newest first. `q` matches visitor name, e-mail and message text (case-insensitive substring). */
export interface ConversationQuery {
    siteId: string;
    status?: ConversationStatus;
    q?: string;
    limit: number;
    /** Rows to skip (paging through results, newest first). Default 0. */
    offset?: number;
}
/** A rating with the agent who had the conversation, for CSAT figures. */
export interface RatingRecord extends Rating {
    agent?: AgentInfo;
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
    /** The scale the score was given on (the site's when it was given). */
    scale: RatingScale;
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
    /** Offered by an agent; see `Message.quickReplies`. */
    quickReplies?: string[];
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
export interface Storage extends RoutingStore, PrivacyStore, FaqStore, NoteStore, WebhookOutboxStore {
    getSiteByKey(key: string): Promise<Site | undefined>;
    getSite(id: string): Promise<Site | undefined>;
    /** The site used when a visitor sends no `siteKey` (key `demo` until multi-site lands). */
    getDefaultSite(): Promise<Site>;
    /** Adds a site; a key already in use rejects with `STORAGE_CONFLICT`. */
    createSite(input: NewSite): Promise<Site>;
    /** Changes a site's settings; undefined when there is no such site. */
    updateSite(id: string, patch: SitePatch): Promise<Site | undefined>;
    /** Every site, oldest first. */
    listSites(): Promise<Site[]>;
    createVisitor(siteId: string): Promise<Visitor>;
    getVisitor(id: string): Promise<Visitor | undefined>;
    /**
     * The visitor a verified identity belongs to, atomically: the site's visitor already bound to `externalId`, else
     * `visitorId` bound to it now (only when that visitor is of this site and unbound), else a new visitor bound to it.
     * Never rebinds a visitor, so one shopper can never be moved onto another's history.
     */
    identifyVisitor(input: {
        siteId: string;
        externalId: string;
        visitorId?: string;
    }): Promise<Visitor>;
    /** `email` is lowercased by the caller; a second agent with the same e-mail rejects with STORAGE_UNAVAILABLE. */
    createAgent(input: {
        siteId: string;
        name: string;
        tokenHash: string;
        avatarUrl?: string;
        email?: string;
        /** `scrypt$N$r$p$salt$hash` (see password.ts); absent: the agent cannot log in with a password. */
        passwordHash?: string;
        /** Default `agent`. */
        role?: AgentRole;
    }): Promise<Agent>;
    /** Matches the agent's own token or an unexpired login session's. */
    getAgentByTokenHash(tokenHash: string): Promise<Agent | undefined>;
    /** The agent with this (lowercased) e-mail and its password hash, for login. */
    getAgentCredentials(email: string): Promise<{
        agent: Agent;
        passwordHash: string | undefined;
    } | undefined>;
    createAgentSession(session: AgentSession): Promise<void>;
    /** Ends a login session; unknown hashes are ignored. */
    deleteAgentSession(tokenHash: string): Promise<void>;
    setAgentAvailability(agentId: string, availability: Availability): Promise<void>;
    /**
     * Revokes everything an agent can authenticate with: the `create-agent` token (replaced by an unusable hash) and
     * every login session. False for an unknown agent.
     */
    revokeAgentCredentials(agentId: string): Promise<boolean>;
    /** Idempotent on (visitorId, clientId): a retry returns the same conversation with `created: false`. */
    startConversation(input: {
        siteId: string;
        visitorId: string;
        clientId: string;
        profile?: VisitorProfile;
    }): Promise<{
        conversation: Conversation;
        created: boolean;
    }>;
    getConversation(id: string): Promise<Conversation | undefined>;
    /**
     * Stores a message once per (conversationId, clientId) and assigns the next seq. Resolves only once the write
     * is durable. A resend resolves with the stored message and `duplicate: true`. Text messages to a closed
     * conversation reject with `CONVERSATION_CLOSED`; unknown conversations with `CONVERSATION_NOT_FOUND`.
     */
    appendMessage(input: NewMessage): Promise<{
        message: Message;
        duplicate: boolean;
    }>;
    /** Forward from `afterSeq` (exclusive), or backward from `beforeSeq` (exclusive); always ascending. */
    listMessages(query: {
        conversationId: string;
        afterSeq?: number;
        beforeSeq?: number;
        limit: number;
    }): Promise<MessagePage>;
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
        /** `offline` when no agent is online: kept as an offline message, outside the queue. Default `queued`. */
        status?: 'queued' | 'offline';
    }): Promise<Transition>;
    /** Queued conversations of a site, oldest first. */
    listQueue(siteId: string): Promise<QueuedConversation[]>;
    /** Assigns a queued conversation, or answers an offline message, for an agent: exactly one concurrent caller wins. */
    assign(conversationId: string, agent: AgentInfo): Promise<Transition>;
    /** Closes a conversation once. */
    closeConversation(conversationId: string, by: Role, reason?: string): Promise<Transition>;
    /** History and search over a site's conversations, newest first, at most `limit`. */
    searchConversations(query: ConversationQuery): Promise<ConversationSummary[]>;
    /** A conversation with its transcript, pages visited, rating and close details. */
    getConversationDetail(id: string): Promise<ConversationDetail | undefined>;
    /** Ratings of a site's conversations given at or after `sinceMs`, oldest first. */
    listRatings(query: {
        siteId: string;
        sinceMs: number;
    }): Promise<RatingRecord[]>;
    /** Stores a rating once per conversation; a second call returns the first with `created: false`. */
    /** `scale` defaults to `csat`; the caller checks the score is on it. */
    rate(input: {
        conversationId: string;
        score: number;
        scale?: RatingScale;
        comment?: string;
    }): Promise<{
        rating: Rating;
        created: boolean;
    }>;
    /** Finishes pending writes (acks included). Safe to call repeatedly. */
    drain(): Promise<void>;
    /** Drains, then releases the database. Further calls reject with `STORAGE_UNAVAILABLE`. */
    close(): Promise<void>;
}
