// Our localStorage keys, all under one prefix per site. Reads and writes never throw (storage can be blocked).

/** `parley:<siteKey>:`; transport's outbox and seqs live under the same prefix. */
export const keyPrefix = (siteKey: string | undefined): string => `parley:${siteKey ?? 'default'}:`;

/** The conversation in progress; the loader reads it to load the app at once on the next page. */
export const ACTIVE_KEY = 'active';
export const TOKEN_KEY = 'token';
/** `<conversationId> <seq>`: what the shopper has seen, so a reload does not count old replies as unread. */
export const READ_KEY = 'read';

export function readKey(prefix: string, key: string): string | null {
  try {
    return localStorage.getItem(prefix + key);
  } catch {
    // Blocked storage (sandboxed frame, privacy settings): behave as a first visit.
    return null;
  }
}

/** Returns false when storage refused the write (the caller decides whether that matters). */
export function writeKey(prefix: string, key: string, value: string | null): boolean {
  try {
    if (value === null) localStorage.removeItem(prefix + key);
    else localStorage.setItem(prefix + key, value);
    return true;
  } catch {
    return false;
  }
}

/** Removes every key under `prefix` (shutdown: forget the visitor). */
export function clearKeys(prefix: string): void {
  try {
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const k = localStorage.key(i);
      if (k?.startsWith(prefix)) localStorage.removeItem(k);
    }
  } catch {
    // Nothing could have been stored where storage is blocked.
  }
}
