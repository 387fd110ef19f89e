// Shapes of the widget store: state per slice, timeline items, and what the store needs from outside.
import type { Decision, HistoryEvent } from '@parley/faq';
import type { AgentInfo, Attachment, AuthorRole, EscalationReason, RatingScale, TranscriptItem, VisitorProfile } from '@parley/protocol';
import type { PreChatField, WidgetEventName, WidgetEvents } from '../embed-api.js';
import type { ChatClient } from './chat-client.js';

/**
 * A visitor message's life:
 *   sending ──ack──▶ delivered ──read.update──▶ read
 *      └──reject──▶ failed ──retry──▶ sending (new item)
 */
export type MessageState = 'sending' | 'delivered' | 'read' | 'failed';

/** A related FAQ entry offered as a quick reply. */
export interface SuggestionRef {
  id: string;
  question: string;
  answer: string;
  link?: string;
  /** The entry's quick replies (`replies:` in the FAQ). */
  replies?: string[];
}

export type TimelineItem =
  | { kind: 'greeting'; id: string; text: string }
  | { kind: 'question'; id: string; text: string; at: number }
  | {
      kind: 'answer';
      id: string;
      entryId: string;
      question: string;
      text: string;
      link?: string;
      confidence: number;
      suggestions: SuggestionRef[];
      helpful?: boolean;
      /** Shown as buttons while this is the latest item. */
      replies?: string[];
    }
  | {
      kind: 'message';
      id: string;
      seq?: number;
      role: AuthorRole;
      name?: string;
      avatarUrl?: string;
      text: string;
      at: number;
      state?: MessageState;
      /** Files; while one is still uploading its `url` is empty. */
      attachments?: Attachment[];
      /** Offered by the agent; shown as buttons while this is the latest item. */
      quickReplies?: string[];
    }
  /** A divider such as "Ana joined"; `key` is an i18n key, `vars` its placeholders (or `text` verbatim). */
  | { kind: 'event'; id: string; key?: string; text?: string; vars?: Record<string, string> };

/**
 *   bot ──escalate──▶ connecting ──escalated──▶ queued ──assigned──▶ assigned ──closed──▶ closed
 *    ▲                    │                   └─▶ offline (leave a message)                  │
 *    └──── failed ────────┘                                                   new conversation┘
 */
export type ConversationStatus = 'bot' | 'connecting' | 'queued' | 'assigned' | 'closed' | 'offline';

export type View = 'chat' | 'prechat' | 'offline' | 'rating';
export type Progress = 'idle' | 'sending' | 'sent';

export interface UiState {
  isOpen: boolean;
  view: View;
  unread: number;
  /** An i18n key for a banner (connection lost, escalation failed), or undefined. */
  notice?: string;
  /** The scale the rating screen asks on (the site's). */
  ratingScale: RatingScale;
  /** Fields asked before the hand-off (boot config, else the site's). */
  preChat: PreChatField[];
  /** The server can e-mail the transcript after the close (from the site's config). */
  canEmailTranscript: boolean;
  /** Within the site's business hours now; undefined until the site's config says. */
  isSiteOpen?: boolean;
}

export interface FaqState {
  status: 'idle' | 'loading' | 'ready' | 'none';
  history: HistoryEvent[];
  transcript: TranscriptItem[];
}

export interface ConversationState {
  id?: string;
  /** Idempotency key for `conversation.start`, kept across retries. */
  startId?: string;
  status: ConversationStatus;
  reason?: EscalationReason;
  pendingReason?: EscalationReason;
  queue?: { position: number; etaSeconds: number };
  agent?: AgentInfo;
  agentTyping?: string;
  items: TimelineItem[];
  lastSeq: number;
  /** Highest seq of ours the agent has read. */
  readSeq: number;
  /** Highest seq we told the server we read. */
  sentReadSeq: number;
  profile: VisitorProfile;
  rating: Progress;
  offline: Progress;
  /** The transcript e-mail after the close. */
  transcriptEmail: Progress;
}

/** The decision engine; `@parley/faq`'s `decide` bound to an index. */
export interface FaqDecider {
  decide(question: string, history: HistoryEvent[]): Decision;
}

export interface StoreDeps {
  /** The transport client, loaded and created on first call (hand-off or resume), never before. */
  client(): Promise<ChatClient>;
  /** Loads the FAQ on first use; null when the site has none. */
  loadFaq(): Promise<FaqDecider | null>;
  emit<K extends WidgetEventName>(event: K, payload: WidgetEvents[K]): void;
  /** The highest seq the shopper has seen in a conversation, kept across reloads so old replies are not unread. */
  readMark?: { load(conversationId: string): number; save(conversationId: string, seq: number): void };
  /** Remembers (or forgets) the conversation in progress, for the loader and other tabs. */
  setActive(conversationId: string | null): void;
  greeting: string;
  preChat: PreChatField[];
  /** Default `csat`. */
  ratingScale?: RatingScale;
  /** Asks the chat server for the site's scale again (its config), after it refused a rating given on another. */
  siteRatingScale?(): Promise<RatingScale | undefined>;
  locale: string;
  now?: () => number;
  uuid?: () => string;
  /** Whether the page is hidden (unread counting while open). */
  isHidden?: () => boolean;
  /** Uploads a file to the chat server with the session's token; without it, attaching is off. */
  upload?(file: File, token: string | undefined): Promise<Attachment>;
}
