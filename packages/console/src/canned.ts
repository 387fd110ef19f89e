// Canned responses: a small editable list with `/shortcut` expansion, persisted in localStorage. No DOM besides
// the storage passed in.

/** One canned response: typing `/shortcut` in the composer expands to `text`. */
export interface CannedResponse {
  shortcut: string;
  text: string;
}

export const DEFAULT_CANNED: readonly CannedResponse[] = [
  { shortcut: 'hello', text: 'Hi! Thanks for waiting. Let me have a look at this for you.' },
  { shortcut: 'shipping', text: 'Orders ship within 1–2 business days. You will get a tracking link by e-mail as soon as your parcel leaves our warehouse.' },
  { shortcut: 'refund', text: 'Refunds are issued to the original payment method within 5 business days after we receive the return.' },
  { shortcut: 'thanks', text: 'Thanks for chatting with us! Is there anything else I can help with?' },
];

const KEY = 'parley-console:canned';
/** Letters, digits, `-` and `_`: what can follow the slash. */
export const SHORTCUT_PATTERN = /^[\p{L}\p{N}_-]{1,32}$/u;
const MAX_ITEMS = 100;
const MAX_TEXT = 4000;

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

function isCanned(value: unknown): value is CannedResponse {
  const v = value as CannedResponse | null;
  return typeof v?.shortcut === 'string' && SHORTCUT_PATTERN.test(v.shortcut) && typeof v.text === 'string' && v.text.length > 0 && v.text.length <= MAX_TEXT;
}

/** The stored list, or the defaults when nothing (valid) is stored. Storage failures fall back to the defaults. */
export function loadCanned(storage: KeyValueStorage | undefined): CannedResponse[] {
  try {
    const raw = storage?.getItem(KEY);
    if (raw === null || raw === undefined) return [...DEFAULT_CANNED];
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) return [...DEFAULT_CANNED];
    return parsed.filter(isCanned).slice(0, MAX_ITEMS);
  } catch {
    // Blocked or corrupt storage: the defaults still work for this session.
    return [...DEFAULT_CANNED];
  }
}

/** Persists the list; false when the storage refused (quota, private mode). */
export function saveCanned(storage: KeyValueStorage | undefined, list: readonly CannedResponse[]): boolean {
  try {
    storage?.setItem(KEY, JSON.stringify(list.filter(isCanned).slice(0, MAX_ITEMS)));
    return storage !== undefined;
  } catch {
    // Reported to the caller through the return value; the in-memory list stays.
    return false;
  }
}

/**
 * Expands a `/shortcut` that ends the text (after a space or at the start). Returns undefined when there is none.
 * @example expandShortcut('Sure! /shipping', list) // 'Sure! Orders ship within…'
 */
export function expandShortcut(text: string, list: readonly CannedResponse[]): string | undefined {
  const match = /(^|\s)\/([\p{L}\p{N}_-]+)$/u.exec(text);
  if (match === null) return undefined;
  const item = list.find((c) => c.shortcut.toLowerCase() === match[2]!.toLowerCase());
  if (item === undefined) return undefined;
  return text.slice(0, match.index + match[1]!.length) + item.text;
}

/** Canned responses whose shortcut starts with the `/partial` the text ends with, for the hint list. */
export function matchShortcuts(text: string, list: readonly CannedResponse[]): CannedResponse[] {
  const match = /(^|\s)\/([\p{L}\p{N}_-]*)$/u.exec(text);
  if (match === null) return [];
  const prefix = match[2]!.toLowerCase();
  return list.filter((c) => c.shortcut.toLowerCase().startsWith(prefix)).slice(0, 6);
}
