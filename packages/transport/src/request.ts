// Requests matched to replies by ref, each settled exactly once: by its reply, its timeout or a disconnect.

import { ERROR_CODES, ParleyError, type ErrorCode, type ErrorFrame, type ServerFrame } from '@parley/protocol';

interface Pending {
  resolve(frame: ServerFrame): void;
  reject(error: ParleyError): void;
  timer: ReturnType<typeof setTimeout>;
}

export interface Requests {
  /** Waits for the reply to `ref`; rejects with `TRANSPORT_TIMEOUT` after `timeoutMs`. */
  track(ref: string, timeoutMs: number): Promise<ServerFrame>;
  /** Settles `ref` with a reply (an `error` frame rejects). False when nothing waits for it. */
  settle(ref: string, frame: ServerFrame): boolean;
  /** Rejects `ref`. False when nothing waits for it. */
  fail(ref: string, error: ParleyError): boolean;
  /** Rejects everything pending, e.g. on disconnect. */
  failAll(error: ParleyError): void;
  has(ref: string): boolean;
}

/** Turns a server `error` frame into a ParleyError. The code comes off the network, so it is checked. */
export function errorFromFrame(frame: ErrorFrame): ParleyError {
  const isKnown = (ERROR_CODES as readonly string[]).includes(frame.code);
  const code: ErrorCode = isKnown ? (frame.code as ErrorCode) : 'SERVER_INTERNAL';
  const details: Record<string, unknown> = {};
  if (frame.conversationId !== undefined) details.conversationId = frame.conversationId;
  if (!isKnown) details.serverCode = frame.code;
  return new ParleyError(code, frame.message, { retryable: frame.retryable ?? false, details });
}

export function createRequests(): Requests {
  const pending = new Map<string, Pending>();

  // Removing the entry before settling is what makes "exactly once" hold: a late reply finds nothing.
  const take = (ref: string): Pending | undefined => {
    const entry = pending.get(ref);
    if (entry === undefined) return undefined;
    pending.delete(ref);
    clearTimeout(entry.timer);
    return entry;
  };

  return {
    track(ref, timeoutMs) {
      return new Promise<ServerFrame>((resolve, reject) => {
        const timer = setTimeout(() => {
          take(ref)?.reject(
            new ParleyError('TRANSPORT_TIMEOUT', `no reply within ${timeoutMs} ms`, { retryable: true, details: { ref } }),
          );
        }, timeoutMs);
        pending.set(ref, { resolve, reject, timer });
      });
    },
    settle(ref, frame) {
      const entry = take(ref);
      if (entry === undefined) return false;
      if (frame.type === 'error') entry.reject(errorFromFrame(frame));
      else entry.resolve(frame);
      return true;
    },
    fail(ref, error) {
      const entry = take(ref);
      entry?.reject(error);
      return entry !== undefined;
    },
    failAll(error) {
      for (const ref of [...pending.keys()]) take(ref)?.reject(error);
    },
    has: (ref) => pending.has(ref),
  };
}
