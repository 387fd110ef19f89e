// The compiled FAQ file: what `parley-faq build --compiled` writes and `@parley/faq/runtime` loads. Types and
// the version only, so the runtime entry and the builder share them without pulling each other's code in.
import type { FaqEntry } from './entry.js';
import type { FieldWeights, MatchTuning } from './faq-index.js';
import type { FaqLocale } from './stem.js';

/** Bumped when a compiled file can no longer be loaded as before (or the derived data it carries changes meaning). */
export const FAQ_COMPILED_VERSION = 1;

/**
 * A FAQ with the parts that need the builder already worked out: synonym phrases stemmed, each entry's
 * self-similarity computed, entries validated. What is cheap to derive (postings, typo map) is rebuilt at
 * load, so the file stays about the size of the entries.
 */
export interface CompiledFaq {
  format: 'parley-faq-compiled';
  version: number;
  locale: FaqLocale;
  tuning: MatchTuning;
  fields: FieldWeights;
  /** Synonym phrases, already stemmed, longest first: `[groupKey, ...stems]`. */
  synonyms: string[][];
  /** Per entry: how alike its own texts are (confidence is relative to it). */
  selfSim: number[];
  /** The entries, without `tags` (matching does not read them). */
  entries: FaqEntry[];
}
