// Public surface of @parley/faq: re-exports, and every shipped language's words added at import (the builder and
// the matcher need them; the widget's lean runtime-core is the entry that adds them on demand instead).
import { addLocaleWords } from './locale-words.js';
import { OTHER_LOCALE_WORDS } from './other-locale-words.js';

addLocaleWords(OTHER_LOCALE_WORDS);

export { ParleyError, type FaqErrorCode, type FaqProblem, type ParleyErrorOptions } from './errors.js';
export { FAQ_LIMITS, validateEntries, type FaqEntry } from './entry.js';
export { parseFaqMarkdown, type FaqDocument } from './parse-markdown.js';
export { parseFaqJson } from './parse-json.js';
export {
  buildIndex,
  loadIndex,
  FaqIndex,
  FAQ_INDEX_VERSION,
  DEFAULT_TUNING,
  type BuildOptions,
  type FieldWeights,
  type MatchTuning,
  type SerializedIndex,
} from './faq-index.js';
export { CALIBRATION, type SearchResult, type SearchOutcome, type MatchSignals } from './match.js';
export { decide, DEFAULT_POLICY, type Decision, type DecidePolicy, type EscalationReason, type HistoryEvent, type Suggestion } from './escalate.js';
export { isHumanRequest } from './human-request.js';
export { BUILTIN_SYNONYMS } from './synonyms.js';
export { normalizeText, tokenize } from './tokenize.js';
export type { FaqLocale } from './stem.js';
export { addLocaleWords, type LocaleWords } from './locale-words.js';
export { OTHER_LOCALE_WORDS } from './other-locale-words.js';
export { compileIndex } from './compile.js';
export { FAQ_COMPILED_VERSION, type CompiledFaq } from './compiled-format.js';
