// Where the outbox and per-conversation lastSeq survive a reload. Small sync key/value; validates what it reads.

import { ParleyError, type Attachment } from '@parley/protocol';

/**
 * Synchronous string storage for the client's small JSON state (outbox, lastSeq per conversation).
 * `localStorage` fits as is; implement it to keep the state elsewhere. Methods may throw: the client then
 * keeps the state in memory for the rest of the page and emits a non-fatal `STORAGE_UNAVAILABLE` error.
 */
export interface OutboxStorage {
  get(key: string): string | null;
  set(key: string, value: string): void;
}

/** Keeps state for the life of the object only: nothing survives a reload. The default. */
export function memoryStorage(): OutboxStorage {
  const data = new Map<string, string>();
  return {
    get: (key) => data.get(key) ?? null,
    set: (key, value) => {
      data.set(key, value);
    },
  };
}

/**
 * Keeps state in `localStorage` under `prefix + key`, so an unsent message survives a reload. Use one prefix
 * per site and identity, e.g. `parley:${siteKey}:`.
 *
 * `localStorage` may be missing or throw (Safari private mode, a full quota, storage blocked in a sandboxed frame);
 * the client catches that, falls back to memory and emits `STORAGE_UNAVAILABLE`.
 * @example
 * createClient({ url, role: 'visitor', storage: localStorageStorage('parley:site_1:') });
 */
export function localStorageStorage(prefix = 'parley:'): OutboxStorage {
  // Looked up on each call, not at creation: merely touching `localStorage` throws where it is blocked.
  return {
    get: (key) => globalThis.localStorage.getItem(prefix + key),
    set: (key, value) => globalThis.localStorage.setItem(prefix + key, value),
  };
}

/** One unacknowledged message, as persisted. */
export interface OutboxEntry {
  conversationId: string;
  clientId: string;
  text: string;
  /** Files already uploaded (`POST /api/uploads`); the server checks that it issued them. */
  attachments?: Attachment[];
  quickReplies?: string[];
}

/** The persisted client state. */
export interface SavedState {
  outbox: OutboxEntry[];
  /** conversationId → highest delivered seq, oldest joined first. */
  seqs: Array<[string, number]>;
}

const OUTBOX_KEY = 'outbox';
const SEQS_KEY = 'seqs';

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isAttachment = (a: unknown): boolean => {
  const v = a as Partial<Attachment> | null;
  return typeof v === 'object' && v !== null && isString(v.name) && isString(v.mime) && isString(v.url) && typeof v.size === 'number';
};
const isSeq = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function parse(raw: string | null): unknown {
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    // Corrupt or foreign data under our key: there is nothing to recover, so start empty.
    return undefined;
  }
}

/** Storage that never throws: the first failure switches to memory for good and is reported once. */
export interface StateStore {
  load(): SavedState;
  /** Outbox and seqs are written separately: a long outbox must not be rewritten on every delivered message. */
  saveOutbox(outbox: OutboxEntry[]): void;
  saveSeqs(seqs: SavedState['seqs']): void;
}

export function createStateStore(storage: OutboxStorage, report: (error: ParleyError) => void): StateStore {
  let active = storage;
  const guarded = <T>(fn: (s: OutboxStorage) => T): T => {
    try {
      return fn(active);
    } catch (cause) {
      active = memoryStorage();
      report(
        new ParleyError('STORAGE_UNAVAILABLE', 'outbox storage failed; unsent messages are kept in memory for this page', {
          cause,
          details: { storage: 'client' },
        }),
      );
      return fn(active);
    }
  };

  return {
    load() {
      // Storage is a boundary like the socket: another version or another script may have written these keys.
      const outbox = parse(guarded((s) => s.get(OUTBOX_KEY)));
      const seqs = parse(guarded((s) => s.get(SEQS_KEY)));
      return {
        outbox: Array.isArray(outbox)
          ? outbox
              .filter(
                (e): e is OutboxEntry =>
                  typeof e === 'object' && e !== null && isString(e.conversationId) && isString(e.clientId) && typeof e.text === 'string',
              )
              .map(({ conversationId, clientId, text, attachments, quickReplies }) => ({
                conversationId,
                clientId,
                text,
                ...(Array.isArray(attachments) && attachments.every(isAttachment) ? { attachments: attachments as Attachment[] } : {}),
                ...(Array.isArray(quickReplies) && quickReplies.every(isString) ? { quickReplies: quickReplies as string[] } : {}),
              }))
          : [],
        seqs: Array.isArray(seqs)
          ? seqs.filter((p): p is [string, number] => Array.isArray(p) && isString(p[0]) && isSeq(p[1]))
          : [],
      };
    },
    saveOutbox(outbox) {
      guarded((s) => s.set(OUTBOX_KEY, JSON.stringify(outbox)));
    },
    saveSeqs(seqs) {
      guarded((s) => s.set(SEQS_KEY, JSON.stringify(seqs)));
    },
  };
}
