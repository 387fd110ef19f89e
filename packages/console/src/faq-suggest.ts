// FAQ-suggested replies: loads the site FAQ (entries, a built or a compiled index) from a URL once and ranks
// answers for the visitor's last message. Absent or broken FAQ → no suggestions, never an error screen.

import { buildIndex, loadIndex, type FaqEntry, type FaqIndex } from '@parley/faq';
import { loadCompiled } from '@parley/faq/runtime';

export interface FaqSuggestion {
  entryId: string;
  question: string;
  answer: string;
  /** Calibrated confidence, 0–1. */
  score: number;
}

export type Suggester = (text: string) => FaqSuggestion[];

/** Below this the FAQ's own "did you mean" threshold: not worth an agent's glance. */
const MIN_SCORE = 0.15;

export function suggesterFor(index: Pick<FaqIndex, 'search'>, limit = 3): Suggester {
  return (text) =>
    text.trim() === ''
      ? []
      : index
          .search(text, { limit })
          .filter((r) => r.score >= MIN_SCORE)
          .map((r) => ({ entryId: r.id, question: r.entry.question, answer: r.entry.answer, score: r.score }));
}

/**
 * Fetches `url` (a JSON array of FAQ entries, `{entries: [...]}`, a serialized index or the compiled file the widget
 * loads) and returns a suggester, or undefined when the FAQ is missing or unreadable (reported through `onError`).
 */
export async function loadSuggester(url: string, options: { fetch?: typeof fetch; locale?: string; onError?: (err: unknown) => void } = {}): Promise<Suggester | undefined> {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  try {
    const res = await doFetch(url, { credentials: 'omit' });
    if (!res.ok) return undefined;
    const json: unknown = await res.json();
    const format = (json as { format?: unknown } | null)?.format;
    if (format === 'parley-faq-compiled') return suggesterFor(loadCompiled(json));
    const entries = Array.isArray(json) ? json : (json as { entries?: unknown } | null)?.entries;
    const index = format === 'parley-faq-index' ? loadIndex(json) : Array.isArray(entries) ? buildIndex(entries as FaqEntry[], { locale: options.locale ?? 'en' }) : undefined;
    return index === undefined ? undefined : suggesterFor(index);
  } catch (err) {
    options.onError?.(err);
    return undefined;
  }
}
