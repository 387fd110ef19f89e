export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export declare const LOG_LEVELS: readonly LogLevel[];
/** What the server logs through. Fields must be JSON-serialisable. */
export interface Logger {
    debug(event: string, fields?: Record<string, unknown>): void;
    info(event: string, fields?: Record<string, unknown>): void;
    warn(event: string, fields?: Record<string, unknown>): void;
    error(event: string, fields?: Record<string, unknown>): void;
}
/** pino redaction paths: `token`, `*.token`, `*.*.token`, … for every sensitive key. */
export declare const REDACT_PATHS: readonly string[];
export declare const REDACTED = "[redacted]";
/** Writes one JSON object per line (default: stderr, so stdout stays free for the CLI's machine-readable lines). */
export declare function createJsonLogger(options?: {
    level?: LogLevel;
    write?: (line: string) => void;
    now?: () => number;
}): Logger;
/** Serialises an unknown thrown value for a log line: name, message and stack, never a driver's full object. */
export declare function describeError(err: unknown): Record<string, unknown>;
