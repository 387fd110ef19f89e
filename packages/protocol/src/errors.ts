// ParleyError and the closed set of error codes shared by every package; maps codes to WebSocket close codes.

/** Every error code Parley emits, grouped by area prefix. Codes are wire names: add, never rename. */
export type ErrorCode =
  // Decoding untrusted bytes.
  | 'PROTOCOL_FRAME_TOO_LARGE'
  | 'PROTOCOL_BAD_JSON'
  | 'PROTOCOL_TOO_DEEP'
  | 'PROTOCOL_BAD_FRAME'
  | 'PROTOCOL_UNKNOWN_TYPE'
  | 'PROTOCOL_MISSING_REF'
  | 'PROTOCOL_STRING_TOO_LONG'
  | 'PROTOCOL_VERSION_UNSUPPORTED'
  | 'PROTOCOL_NOT_AUTHENTICATED'
  | 'PROTOCOL_STALE_RESUME'
  // Identity and permissions.
  | 'AUTH_INVALID_TOKEN'
  | 'AUTH_EXPIRED_TOKEN'
  | 'AUTH_FORBIDDEN'
  | 'AUTH_ORIGIN_REFUSED'
  /** The site requires a verified shopper identity and `hello` carried none. */
  | 'AUTH_IDENTITY_REQUIRED'
  /** A shopper identity whose HMAC or JWT does not verify (wrong key, expired, malformed). */
  | 'AUTH_IDENTITY_INVALID'
  // Abuse limits.
  | 'RATE_LIMITED'
  // Domain.
  | 'CONVERSATION_NOT_FOUND'
  | 'CONVERSATION_CLOSED'
  // Server-side faults and lifecycle.
  | 'STORAGE_UNAVAILABLE'
  | 'FANOUT_UNAVAILABLE'
  | 'SERVER_SHUTTING_DOWN'
  | 'SERVER_INTERNAL'
  | 'CONFIG_INVALID'
  // Client transport.
  | 'TRANSPORT_TIMEOUT'
  | 'TRANSPORT_CLOSED'
  | 'TRANSPORT_NOT_CONNECTED'
  | 'TRANSPORT_OUTBOX_FULL'
  /** A consumer's event listener threw; the client reports it and keeps going. */
  | 'TRANSPORT_LISTENER_FAILED'
  /** A unique value (a site key) is already taken. */
  | 'STORAGE_CONFLICT'
  /** An upload larger than the server's limit (HTTP 413). */
  | 'ATTACHMENT_TOO_LARGE'
  /** An upload whose bytes are not one of the allowed types, or do not match the declared type (HTTP 415). */
  | 'ATTACHMENT_TYPE_REFUSED'
  /** A message attachment whose URL this server did not issue to the sender. */
  | 'ATTACHMENT_URL_REFUSED'
  /** A rating score outside the site's rating scale (csat 1–5, ces 1–7, nps 0–10). */
  | 'RATING_OUT_OF_SCALE'
  /** A transcript e-mail was asked of a server with no mail (SMTP) set up. */
  | 'EMAIL_UNAVAILABLE'
  /** Not an e-mail address the server will send to. */
  | 'EMAIL_INVALID'
  /** The mail server refused or could not be reached; `retryable`. */
  | 'EMAIL_SEND_FAILED'
  /** Asked of a conversation that is still open (the transcript is sent once it is closed). */
  | 'CONVERSATION_NOT_CLOSED';

/** All codes, for exhaustive tables and validation of `error` frames. */
export const ERROR_CODES: readonly ErrorCode[] = [
  'PROTOCOL_FRAME_TOO_LARGE',
  'PROTOCOL_BAD_JSON',
  'PROTOCOL_TOO_DEEP',
  'PROTOCOL_BAD_FRAME',
  'PROTOCOL_UNKNOWN_TYPE',
  'PROTOCOL_MISSING_REF',
  'PROTOCOL_STRING_TOO_LONG',
  'PROTOCOL_VERSION_UNSUPPORTED',
  'PROTOCOL_NOT_AUTHENTICATED',
  'PROTOCOL_STALE_RESUME',
  'AUTH_INVALID_TOKEN',
  'AUTH_EXPIRED_TOKEN',
  'AUTH_FORBIDDEN',
  'AUTH_ORIGIN_REFUSED',
  'RATE_LIMITED',
  'CONVERSATION_NOT_FOUND',
  'CONVERSATION_CLOSED',
  'STORAGE_UNAVAILABLE',
  'FANOUT_UNAVAILABLE',
  'SERVER_SHUTTING_DOWN',
  'SERVER_INTERNAL',
  'CONFIG_INVALID',
  'TRANSPORT_TIMEOUT',
  'TRANSPORT_CLOSED',
  'TRANSPORT_NOT_CONNECTED',
  'TRANSPORT_OUTBOX_FULL',
  'TRANSPORT_LISTENER_FAILED',
  'AUTH_IDENTITY_REQUIRED',
  'AUTH_IDENTITY_INVALID',
  'STORAGE_CONFLICT',
  'ATTACHMENT_TOO_LARGE',
  'ATTACHMENT_TYPE_REFUSED',
  'ATTACHMENT_URL_REFUSED',
  'RATING_OUT_OF_SCALE',
  'EMAIL_UNAVAILABLE',
  'EMAIL_INVALID',
  'EMAIL_SEND_FAILED',
  'CONVERSATION_NOT_CLOSED',
];

/** Optional fields carried beside `code` and `message`. */
export interface ParleyErrorOptions {
  cause?: unknown;
  /** True when the same request may succeed later (after a reconnect or a back-off). */
  retryable?: boolean;
  details?: Record<string, unknown>;
}

/**
 * The one error class of Parley. Branch on `code`, never on `message`.
 * @example
 * if (err instanceof ParleyError && err.code === 'RATE_LIMITED') retryLater();
 */
export class ParleyError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: ParleyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ParleyError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }
}

/** WebSocket close codes Parley uses (RFC 6455 §7.4 plus the 4000–4999 private range). */
export const CloseCode = {
  NORMAL: 1000,
  /** Server shutting down or restarting: the client should resume, possibly on another node. */
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
  /** Authentication failed or the token was revoked; reconnecting with the same token is pointless. */
  UNAUTHORIZED: 4001,
  /** The client speaks a protocol version the server does not. */
  VERSION_UNSUPPORTED: 4002,
  /** No handshake arrived in time. */
  HANDSHAKE_TIMEOUT: 4003,
  /**
   * The site needs a verified shopper identity and this one is missing, invalid or expired. The token is fine:
   * get a fresh identity from the site, then reconnect with the same token.
   */
  IDENTITY_REQUIRED: 4004,
  /** Repeated invalid frames or flooding. */
  ABUSE: 4008,
  /** The peer stopped answering heartbeats. */
  HEARTBEAT_TIMEOUT: 4009,
} as const;

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/** The close code the server uses when an error of this code ends a connection. */
export function closeCodeFor(code: ErrorCode): CloseCodeValue {
  switch (code) {
    case 'PROTOCOL_FRAME_TOO_LARGE':
      return CloseCode.MESSAGE_TOO_BIG;
    case 'PROTOCOL_VERSION_UNSUPPORTED':
      return CloseCode.VERSION_UNSUPPORTED;
    case 'AUTH_INVALID_TOKEN':
    case 'AUTH_EXPIRED_TOKEN':
    case 'AUTH_FORBIDDEN':
    case 'AUTH_ORIGIN_REFUSED':
      return CloseCode.UNAUTHORIZED;
    case 'AUTH_IDENTITY_REQUIRED':
    case 'AUTH_IDENTITY_INVALID':
      return CloseCode.IDENTITY_REQUIRED;
    case 'PROTOCOL_NOT_AUTHENTICATED':
      return CloseCode.HANDSHAKE_TIMEOUT;
    case 'RATE_LIMITED':
    case 'PROTOCOL_BAD_JSON':
    case 'PROTOCOL_TOO_DEEP':
    case 'PROTOCOL_BAD_FRAME':
    case 'PROTOCOL_UNKNOWN_TYPE':
    case 'PROTOCOL_MISSING_REF':
    case 'PROTOCOL_STRING_TOO_LONG':
      return CloseCode.ABUSE;
    case 'SERVER_SHUTTING_DOWN':
      return CloseCode.GOING_AWAY;
    default:
      return CloseCode.INTERNAL_ERROR;
  }
}

/** Close codes after which a client must not reconnect without new credentials or a new build. */
export function isTerminalClose(closeCode: number): boolean {
  return closeCode === CloseCode.UNAUTHORIZED || closeCode === CloseCode.VERSION_UNSUPPORTED;
}
