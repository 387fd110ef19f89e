// Structured logs as JSON lines through pino. Callers log ids and codes; redaction is the safety net for the day
// someone passes a frame, a header or a body anyway: tokens, passwords and message text never reach a line.

import { pino, type DestinationStream } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** What the server logs through. Fields must be JSON-serialisable. */
export interface Logger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

/** Field names whose values are secrets or personal content, at the top level and one or two levels down. */
const SENSITIVE_KEYS = ['token', 'password', 'passwordHash', 'secret', 'authorization', 'cookie', 'text', 'body', 'comment', 'transcript', 'email'];

/** pino redaction paths: `token`, `*.token`, `*.*.token`, … for every sensitive key. */
export const REDACT_PATHS: readonly string[] = SENSITIVE_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

export const REDACTED = '[redacted]';

/** Writes one JSON object per line (default: stderr, so stdout stays free for the CLI's machine-readable lines). */
export function createJsonLogger(options: { level?: LogLevel; write?: (line: string) => void; now?: () => number } = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? Date.now;
  // A plain object stream keeps writes synchronous, so a crash right after a log call still has its line.
  const stream: DestinationStream = { write };
  const base = pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      messageKey: 'msg',
      timestamp: () => `,"t":${now()}`,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    },
    stream,
  );
  const log = (level: 'debug' | 'info' | 'warn' | 'error') => (event: string, fields?: Record<string, unknown>) => {
    if (!base.isLevelEnabled(level)) return;
    try {
      base[level]({ event, ...fields });
    } catch {
      // A field pino cannot serialise (a getter that throws) must not take the server down; log without it.
      base[level]({ event, note: 'fields not serialisable' });
    }
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** Serialises an unknown thrown value for a log line: name, message and stack, never a driver's full object. */
export function describeError(err: unknown): Record<string, unknown> {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { errorName: err.name, errorMessage: err.message, errorCode: code, stack: err.stack };
  }
  return { errorMessage: String(err) };
}
