// Structured logs as JSON lines. Never pass tokens or message bodies; callers log ids and codes only.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** What the server logs through. Fields must be JSON-serialisable. */
export interface Logger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Writes one JSON object per line (default: stderr, so stdout stays free for the CLI's machine-readable lines). */
export function createJsonLogger(options: { level?: LogLevel; write?: (line: string) => void; now?: () => number } = {}): Logger {
  const min = RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? Date.now;
  const log = (level: Exclude<LogLevel, 'silent'>) => (event: string, fields?: Record<string, unknown>) => {
    if (RANK[level] < min) return;
    let line: string;
    try {
      line = JSON.stringify({ t: now(), level, event, ...fields });
    } catch {
      // A field that cannot be serialised (a cycle) must not take the server down; log without it.
      line = JSON.stringify({ t: now(), level, event, note: 'fields not serialisable' });
    }
    write(`${line}\n`);
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
