// `@parley/faq/runtime-core`: load a compiled FAQ and answer questions, without the Markdown/JSON parsers, the
// entry validator or the index builder, and with only English (and Japanese) word data: what a browser widget
// ships. Add another language's words (`@parley/faq/locale-words`) with addLocaleWords before loading a FAQ that
// uses it; `faqLocales` says which. `@parley/faq/runtime` is this with every language added.
import { assemble } from './assemble.js';
import { FAQ_COMPILED_VERSION, type CompiledFaq } from './compiled-format.js';
import { FAQ_LIMITS, LINK_FORMAT, type FaqEntry } from './entry.js';
import { ParleyError } from './errors.js';
import { decide as decideWith, type DecidePolicy, type Decision, type HistoryEvent } from './escalate.js';
import type { FaqIndex, IndexData } from './faq-index.js';
import { searchIndex, type SearchResult } from './match.js';
import { hasLocaleWords } from './locale-words.js';
import type { FaqLocale } from './stem.js';
import { toLocale } from './tokenize.js';

export type { CompiledFaq } from './compiled-format.js';
export type { Decision, DecidePolicy, EscalationReason, HistoryEvent, Suggestion } from './escalate.js';
export type { SearchResult } from './match.js';
export type { FaqEntry } from './entry.js';
export { ParleyError } from './errors.js';
export { FAQ_COMPILED_VERSION } from './compiled-format.js';
export { addLocaleWords, type LocaleWords } from './locale-words.js';
export type { FaqLocale } from './stem.js';

/**
 * The languages a compiled FAQ (object or JSON text) needs word data for and that are not added yet: its own and
 * its entries'. Unknown or malformed values are left to `loadCompiled` to refuse.
 * @example for (const l of faqLocales(json)) addLocaleWords({ [l]: OTHER_LOCALE_WORDS[l] });
 */
export function faqLocales(json: unknown): FaqLocale[] {
  let v = json as Partial<CompiledFaq> | null;
  try {
    if (typeof json === 'string') v = JSON.parse(json) as Partial<CompiledFaq>;
  } catch {
    return [];
  }
  if (typeof v !== 'object' || v === null || typeof v.locale !== 'string') return [];
  const base = toLocale(v.locale, 'en');
  const tags = Array.isArray(v.entries) ? v.entries.map((e: Partial<FaqEntry> | null) => (typeof e?.locale === 'string' ? e.locale : undefined)) : [];
  return [...new Set([base, ...tags.map((t) => toLocale(t, base))])].filter((l) => !hasLocaleWords(l));
}

/** What `loadCompiled` returns and `decide` accepts (a built `FaqIndex` is accepted too). */
export interface SearchableFaq {
  /** @internal */
  readonly data: IndexData;
}

/** A loaded compiled FAQ. */
export interface CompiledIndex extends SearchableFaq {
  readonly entries: readonly FaqEntry[];
  /** Rank entries for a question, best first; `score` is the calibrated confidence (0–1). */
  search(text: string, options?: { limit?: number }): SearchResult[];
}

const TUNING_NUMBERS = ['wordShare', 'bigramWeight', 'synonymWeight', 'typoWeight', 'secondShare', 'pooledShare'] as const;

/**
 * Load a compiled FAQ (object or JSON text). The file comes over the network, so everything the matcher and
 * the widget read is checked: throws `FAQ_INDEX_VERSION` for another version, `FAQ_INDEX_CORRUPT` for anything
 * malformed (wrong types, out-of-range numbers, over-long text or lists, blank phrasings or replies, links that are
 * not http(s)/mailto).
 */
export function loadCompiled(json: unknown): CompiledIndex {
  const fail = (what: string): never => {
    throw new ParleyError('FAQ_INDEX_CORRUPT', `compiled FAQ: ${what}`);
  };
  let v = json as Partial<CompiledFaq> | null;
  if (typeof json === 'string') {
    try {
      v = JSON.parse(json) as Partial<CompiledFaq>;
    } catch {
      fail('not valid JSON');
    }
  }
  if (typeof v !== 'object' || v === null || v.format !== 'parley-faq-compiled') return fail('not a compiled Parley FAQ');
  if (v.version !== FAQ_COMPILED_VERSION) {
    throw new ParleyError('FAQ_INDEX_VERSION', `compiled FAQ version ${String(v.version)} is not ${FAQ_COMPILED_VERSION}: rebuild it with parley-faq build --compiled`);
  }
  const isNumber = (x: unknown, max = 1e3): x is number => typeof x === 'number' && x >= 0 && x <= max;
  const isText = (x: unknown, max: number): x is string => typeof x === 'string' && x.length <= max;
  const isList = (x: unknown, n: number, max: number) => x === undefined || (Array.isArray(x) && x.length <= n && x.every((t) => isText(t, max) && !!t.trim()));
  const { locale, tuning, fields, synonyms, selfSim, entries } = v;
  if (typeof locale !== 'string' || toLocale(locale, 'en') !== locale) fail('unknown locale');
  if (typeof tuning !== 'object' || tuning === null || !TUNING_NUMBERS.every((k) => isNumber(tuning[k]))) fail('bad tuning');
  if (!Array.isArray(tuning!.charSizes) || !tuning!.charSizes.every((n) => Number.isInteger(n) && n > 0 && n < 9)) fail('bad tuning.charSizes');
  if (typeof fields !== 'object' || fields === null || !isNumber(fields.question) || !isNumber(fields.phrasing) || !isNumber(fields.answer)) fail('bad fields');
  if (!Array.isArray(synonyms) || synonyms.length > FAQ_LIMITS.entries || !synonyms.every((s) => Array.isArray(s) && s.length > 1 && s.length < 50 && s.every((t) => isText(t, FAQ_LIMITS.question)))) fail('bad synonyms');
  if (!Array.isArray(entries) || entries.length > FAQ_LIMITS.entries) return fail('bad entries');
  if (!Array.isArray(selfSim) || selfSim.length !== entries.length || !selfSim.every((x) => isNumber(x, 2))) fail('bad selfSim');
  const ids = new Set<string>();
  entries.forEach((e: Partial<FaqEntry> | null, i) => {
    const ok =
      typeof e === 'object' && e !== null &&
      isText(e.id, FAQ_LIMITS.id) && !!e.id && !ids.has(e.id) &&
      isText(e.question, FAQ_LIMITS.question) &&
      isText(e.answer, FAQ_LIMITS.answer) &&
      isList(e.phrasings, FAQ_LIMITS.phrasings, FAQ_LIMITS.question) &&
      // The widget maps replies straight into buttons (and keys them by text): a list of non-empty strings, bounded.
      isList(e.replies, FAQ_LIMITS.replies, FAQ_LIMITS.reply) &&
      (e.link === undefined || (isText(e.link, FAQ_LIMITS.link) && LINK_FORMAT.test(e.link))) &&
      (e.locale === undefined || isText(e.locale, FAQ_LIMITS.locale));
    if (!ok) fail(`entries[${i}] is invalid`);
    ids.add(e!.id!);
  });
  const table = { phrases: synonyms!.map(([key, ...terms]) => ({ key: key!, terms })) };
  const data: IndexData = { ...assemble(entries as FaqEntry[], locale!, tuning!, fields!, table).data, selfSim: Float64Array.from(selfSim!) };
  return {
    data,
    entries: data.entries,
    search: (text, options = {}) => searchIndex(data, text, options.limit ?? 5).results,
  };
}

/**
 * Answer from the FAQ or hand over to a person: `decide` of `@parley/faq`, for a compiled or a built index.
 * @example
 * const d = decide(loadCompiled(await (await fetch('/faq.json')).json()), 'where is my parcel?', history);
 */
export function decide(index: SearchableFaq, question: string, history: HistoryEvent[] = [], policy: Partial<DecidePolicy> = {}): Decision {
  // decide() reads only `index.data`; runtime.test.ts checks a compiled index decides exactly as the built one.
  return decideWith(index as FaqIndex, question, history, policy);
}
