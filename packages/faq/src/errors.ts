// FAQ error type and codes: same shape as @parley/protocol's ParleyError, defined here because faq imports nothing from the workspace.

/** Every error code the FAQ package throws. */
export type FaqErrorCode =
  | 'FAQ_PARSE'
  | 'FAQ_INVALID_ENTRY'
  | 'FAQ_DUPLICATE_ID'
  | 'FAQ_INDEX_VERSION'
  | 'FAQ_INDEX_CORRUPT'
  | 'FAQ_BAD_QUERY'
  | 'FAQ_LOCALE_NOT_LOADED';

/** One problem found in FAQ content, with the 1-based line it was found on (0 when not from a file). */
export interface FaqProblem {
  line: number;
  message: string;
  entryId?: string;
}

/** Optional fields carried beside `code` and `message`. */
export interface ParleyErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
}

/**
 * Parley's error shape (`code`, `message`, `details`, `cause`), local to faq so the package stands alone.
 * FAQ errors are never retryable, so unlike protocol's class there is no `retryable` flag.
 * Branch on `code`, never on `message`. Content errors carry `details.problems: FaqProblem[]`.
 * @example
 * try { parseFaqMarkdown(text) } catch (e) { if (e instanceof ParleyError && e.code === 'FAQ_PARSE') show(e.details?.problems) }
 */
export class ParleyError extends Error {
  // `declare`: assigned in the constructor; keeps the emitted class free of field-definition helpers.
  declare readonly code: FaqErrorCode;
  declare readonly details: Record<string, unknown> | undefined;

  constructor(code: FaqErrorCode, message: string, options: ParleyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ParleyError';
    this.code = code;
    this.details = options.details;
  }
}
