// Builds the searchable index from entries (term weights, postings, typo map) and owns its versioned JSON form.
import { ParleyError } from './errors.js';
import { validateEntries, type FaqEntry } from './entry.js';
import { toLocale } from './tokenize.js';
import { compileSynonyms, BUILTIN_SYNONYMS, type SynonymTable } from './synonyms.js';
import { assemble } from './assemble.js';
import { searchIndex, type SearchOutcome, type SearchResult } from './match.js';
import type { FaqLocale } from './stem.js';

/** Version of the `toJSON()` format. Bumped when a stored index can no longer be read as before. */
export const FAQ_INDEX_VERSION = 1;

/** Matching knobs. The defaults were chosen on BANKING77 train/val (see scripts/bench/faq) and then frozen. */
export interface MatchTuning {
  /** Character n-gram sizes scored alongside words. */
  charSizes: number[];
  /** Share of the word scorer in a text's score; the rest is character n-grams. */
  wordShare: number;
  /** Weight of adjacent-word pairs relative to single words. */
  bigramWeight: number;
  /** Weight of a synonym-group term relative to a word. */
  synonymWeight: number;
  /** Weight of a typo-corrected query word relative to an exact one. */
  typoWeight: number;
  /** Entry score = best text + this × second-best text of the same entry. */
  secondShare: number;
  /** Share of the entry-level (all texts pooled) score mixed into the entry score. */
  pooledShare: number;
}

/** Options for {@link buildIndex}. */
export interface BuildOptions {
  /** Default locale for entries without one and for queries (BCP 47). Default `en`. */
  locale?: string;
  /** Owner synonym groups, e.g. `[['refund', 'return', 'money back']]`. */
  synonyms?: string[][];
  /** Use the built-in shopping synonyms. Default true. */
  builtinSynonyms?: boolean;
  /** Weight of the question, phrasings and answer fields. Default `{ question: 1, phrasing: 1, answer: 0.35 }`. */
  fieldWeights?: Partial<FieldWeights>;
  tuning?: Partial<MatchTuning>;
}

/** Relative weights of the fields an entry is matched on. */
export interface FieldWeights {
  question: number;
  phrasing: number;
  answer: number;
}

/** The frozen matching knobs (chosen on BANKING77 train/val with scripts/bench/faq/tune.mjs). */
export const DEFAULT_TUNING: MatchTuning = {
  charSizes: [3],
  wordShare: 0.5,
  bigramWeight: 0.4,
  synonymWeight: 0.5,
  typoWeight: 0.8,
  secondShare: 0.2,
  pooledShare: 0.7,
};

export const DEFAULT_FIELDS: FieldWeights = { question: 1, phrasing: 1, answer: 0.35 };


/**
 * Postings of one scorer in flat typed arrays (few objects: cheap to build and to garbage-collect around).
 * Term `t`'s postings are `target[k]`, `weight[k]` for `k` in `start[t] … start[t + 1] - 1`; targets are
 * text numbers (or entry numbers for the pooled scorer), weights the L2-normalised tf-idf.
 */
export interface Postings {
  ids: Map<string, number>;
  idf: Float64Array;
  start: Int32Array;
  target: Int32Array;
  weight: Float64Array;
  /** Weight of a term the index has never seen, so unfamiliar queries score lower. */
  unseenIdf: number;
}

/** Internals shared with match.ts; not part of the public API. */
export interface IndexData {
  entries: FaqEntry[];
  locale: FaqLocale;
  tuning: MatchTuning;
  synonyms: SynonymTable;
  /** Text number → entry number, and the text's field weight. */
  textEntry: Int32Array;
  textWeight: Float64Array;
  words: Postings;
  chars: Postings;
  /** Word postings over whole entries (all texts pooled), targets are entry numbers. */
  pooled: Postings;
  /** Per entry: mean similarity of each of its texts to its closest sibling text. */
  selfSim: Float64Array;
  /** Deletion neighbourhood (SymSpell-style) → the commonest vocabulary word with it, for edit-distance-1 typos. */
  typos: Map<string, string>;
}

/**
 * Add `share` × cosine of every pair of texts of the same entry into `out` (entry e's m × m block starts at
 * `offset[e]`). One pass over the postings: each term's postings are in text order, so an entry's texts form
 * one run.
 */
function siblingCosines(p: Postings, entryOf: Int32Array, first: Int32Array, offset: Int32Array, out: Float64Array, share: number): void {
  for (let t = 0; t + 1 < p.start.length; t++) {
    for (let a = p.start[t]!, end = p.start[t + 1]!; a < end;) {
      const e = entryOf[p.target[a]!]!;
      let b = a + 1;
      while (b < end && entryOf[p.target[b]!] === e) b++;
      const m = first[e + 1]! - first[e]!;
      for (let x = a; x < b; x++) {
        for (let y = x + 1; y < b; y++) {
          const v = share * p.weight[x]! * p.weight[y]!;
          const i = p.target[x]! - first[e]!;
          const j = p.target[y]! - first[e]!;
          out[offset[e]! + i * m + j] = out[offset[e]! + i * m + j]! + v;
          out[offset[e]! + j * m + i] = out[offset[e]! + j * m + i]! + v;
        }
      }
      a = b;
    }
  }
}

/**
 * A searchable FAQ. Build with {@link buildIndex} or load with {@link FaqIndex.fromJSON}.
 * @example
 * const { entries, synonyms } = parseFaqMarkdown(text);
 * const index = buildIndex(entries, { synonyms });
 * index.search('where is my parcel', { limit: 3 });
 */
export class FaqIndex {
  /** @internal */
  declare readonly data: IndexData;
  private declare readonly options: BuildOptions;

  /** @internal use {@link buildIndex}. */
  constructor(entries: FaqEntry[], options: BuildOptions = {}) {
    validateEntries(entries);
    this.options = options;
    const locale = toLocale(options.locale, 'en');
    const tuning = { ...DEFAULT_TUNING, ...options.tuning };
    const fields = { ...DEFAULT_FIELDS, ...options.fieldWeights };
    const groups = [...(options.builtinSynonyms === false ? [] : BUILTIN_SYNONYMS), ...(options.synonyms ?? [])];
    const synonyms = compileSynonyms(groups, locale);
    const { data, isAnswerText } = assemble(entries, locale, tuning, fields, synonyms);
    const { textEntry: entryOf, words, chars } = data;
    // How alike an entry's own texts are (mean over texts of the best match among its siblings): a shopper's
    // wording of an entry with varied phrasings is expected to score lower, so confidence is relative to this.
    // Texts of one entry are contiguous: entry e owns texts first[e] … first[e] + count[e] - 1.
    const n = entries.length;
    const first = new Int32Array(n + 1);
    for (let i = entryOf.length - 1; i >= 0; i--) first[entryOf[i]!] = i;
    first[n] = entryOf.length;
    const offset = new Int32Array(n + 1);
    for (let e = 0; e < n; e++) offset[e + 1] = offset[e]! + (first[e + 1]! - first[e]!) ** 2;
    const sims = new Float64Array(offset[n]!);
    siblingCosines(words, entryOf, first, offset, sims, tuning.wordShare);
    siblingCosines(chars, entryOf, first, offset, sims, 1 - tuning.wordShare);
    const selfSim = new Float64Array(n);
    for (let e = 0; e < n; e++) {
      const m = first[e + 1]! - first[e]!;
      let sum = 0;
      let texts = 0;
      for (let x = 0; x < m; x++) {
        if (isAnswerText[first[e]! + x]) continue;
        let bestSim = 0;
        for (let y = 0; y < m; y++) if (y !== x && !isAnswerText[first[e]! + y]) bestSim = Math.max(bestSim, sims[offset[e]! + x * m + y]!);
        sum += bestSim;
        texts++;
      }
      selfSim[e] = texts > 1 ? sum / texts : 0.5;
    }
    this.data = { ...data, selfSim };
  }

  /** Number of entries. */
  get size(): number {
    return this.data.entries.length;
  }

  /** The entries, in the order given. */
  get entries(): readonly FaqEntry[] {
    return this.data.entries;
  }

  /**
   * Rank entries for a question, best first. `score` is the calibrated confidence (0–1) that the entry
   * answers it. Throws `FAQ_BAD_QUERY` when `text` is not a string.
   */
  search(text: string, options: { limit?: number } = {}): SearchResult[] {
    return searchIndex(this.data, text, options.limit ?? 5).results;
  }

  /** Like {@link FaqIndex.search}, plus the signals behind the best candidate's confidence (for tuning and debugging). */
  match(text: string, options: { limit?: number } = {}): SearchOutcome {
    return searchIndex(this.data, text, options.limit ?? 5);
  }

  /** Versioned JSON: the entries and build options, nothing derived; loading rebuilds the postings (fast). */
  toJSON(): SerializedIndex {
    const { tuning, ...rest } = this.options;
    return {
      format: 'parley-faq-index',
      version: FAQ_INDEX_VERSION,
      options: tuning ? { ...rest, tuning } : rest,
      entries: this.data.entries,
    };
  }

  /**
   * Load an index written by `toJSON()` (object or JSON text). Throws `FAQ_INDEX_VERSION` for another
   * version and `FAQ_INDEX_CORRUPT` when the shape or the entries are invalid.
   */
  static fromJSON(json: unknown): FaqIndex {
    let value = json;
    if (typeof json === 'string') {
      try {
        value = JSON.parse(json);
      } catch (cause) {
        throw new ParleyError('FAQ_INDEX_CORRUPT', 'FAQ index is not valid JSON', { cause });
      }
    }
    const v = value as Partial<SerializedIndex> | null;
    if (typeof v !== 'object' || v === null || v.format !== 'parley-faq-index') {
      throw new ParleyError('FAQ_INDEX_CORRUPT', 'not a Parley FAQ index');
    }
    if (v.version !== FAQ_INDEX_VERSION) {
      throw new ParleyError('FAQ_INDEX_VERSION', `FAQ index version ${String(v.version)} is not ${FAQ_INDEX_VERSION}: rebuild it with parley-faq build`, {
        details: { version: v.version, supported: FAQ_INDEX_VERSION },
      });
    }
    if (!Array.isArray(v.entries) || typeof v.options !== 'object' || v.options === null) {
      throw new ParleyError('FAQ_INDEX_CORRUPT', 'FAQ index has no entries or options');
    }
    try {
      return new FaqIndex(v.entries, v.options);
    } catch (cause) {
      if (cause instanceof ParleyError) {
        throw new ParleyError('FAQ_INDEX_CORRUPT', `FAQ index has invalid entries: ${cause.message}`, { cause, details: cause.details });
      }
      throw cause;
    }
  }
}

/** What `toJSON()` writes. */
export interface SerializedIndex {
  format: 'parley-faq-index';
  version: number;
  options: BuildOptions;
  entries: FaqEntry[];
}


/**
 * Build an index from entries (validated: throws `FAQ_INVALID_ENTRY` / `FAQ_DUPLICATE_ID`).
 * Fast enough to run in the widget at load: a few ms for a few hundred entries.
 */
export function buildIndex(entries: FaqEntry[], options: BuildOptions = {}): FaqIndex {
  return new FaqIndex(entries, options);
}

/** Same as {@link FaqIndex.fromJSON}. */
export function loadIndex(json: unknown): FaqIndex {
  return FaqIndex.fromJSON(json);
}
