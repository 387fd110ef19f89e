// Limits both ends agree on. The server enforces them; the client stays inside them so it is never refused.

/** Sizes and rates of the wire contract. Numbers are defaults; a server may lower, never raise, them per site. */
export interface Limits {
  /** Largest frame in UTF-8 bytes. 64 KiB holds the longest message plus a full transcript with room to spare. */
  maxFrameBytes: number;
  /** Deepest JSON nesting a frame may have; real frames need 4. */
  maxDepth: number;
  /** Longest message text, in UTF-16 code units (what `String.length` counts). */
  maxTextLength: number;
  /** Longest id (conversation, client message id, ref). */
  maxIdLength: number;
  /** Longest token. */
  maxTokenLength: number;
  /** Longest short label (names, reasons, URLs). */
  maxLabelLength: number;
  /** Most self-service transcript items carried by an escalation. */
  maxTranscriptItems: number;
  /** Most messages one history page returns. */
  maxHistoryPage: number;
  /** Most conversations a handshake can resume at once. */
  maxResume: number;
  /** Most attachments on one message. */
  maxAttachments: number;
  /** Most quick replies an agent's message offers; more than a handful stops being quick. */
  maxQuickReplies: number;
  /** Longest quick reply, in UTF-16 code units: each is a button label, so a few words. */
  maxQuickReplyLength: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxFrameBytes: 64 * 1024,
  maxDepth: 6,
  maxTextLength: 4000,
  maxIdLength: 64,
  maxTokenLength: 1024,
  maxLabelLength: 512,
  maxTranscriptItems: 50,
  maxHistoryPage: 200,
  maxResume: 20,
  maxAttachments: 10,
  maxQuickReplies: 5,
  maxQuickReplyLength: 40,
});

/** Heartbeat period. 25 s keeps NAT and proxy idle timers (often 30–60 s) from dropping an idle socket. */
export const DEFAULT_HEARTBEAT_MS = 25_000;

/** Lowest and highest score of each rating scale (see `RatingScale`). */
export const RATING_SCALE_RANGES: Readonly<Record<'csat' | 'ces' | 'nps', readonly [min: number, max: number]>> = Object.freeze({
  csat: [1, 5],
  ces: [1, 7],
  nps: [0, 10],
});
