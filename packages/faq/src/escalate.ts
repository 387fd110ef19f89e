// The answer-or-escalate decision: candidates + conversation history + policy → answer | escalate(reason).
// Owns the policy defaults; scoring lives in match.ts.
import { ParleyError } from './errors.js';
import type { FaqEntry } from './entry.js';
import type { FaqIndex } from './faq-index.js';
import { isHumanRequest } from './human-request.js';
import { searchIndex, type SearchResult } from './match.js';

/**
 * Why the FAQ hands the conversation to a person. A closed set: add, never rename.
 * - `out_of_scope`: not confident enough to answer, and nothing in the FAQ is about this: no candidate,
 *   a confidence below `policy.outOfScopeBelow`, or most of the question's words unknown to the FAQ.
 * - `low_confidence`: not confident enough to answer, but related entries exist (see `suggestions`).
 * - `asked_for_human`: the shopper asked for a person, in any shipped language.
 * - `repeated_miss`: `policy.maxMisses` answers in a row went unconfirmed and the shopper is still asking.
 * - `negative_feedback`: the shopper said the last answer did not help.
 */
export type EscalationReason = 'low_confidence' | 'out_of_scope' | 'asked_for_human' | 'repeated_miss' | 'negative_feedback';

/** One prior turn of the conversation, oldest first. */
export type HistoryEvent =
  | { kind: 'question'; text: string }
  | { kind: 'answer'; entryId: string; confidence?: number }
  | { kind: 'feedback'; helpful: boolean; entryId?: string }
  | { kind: 'escalate'; reason: EscalationReason };

/** A "did you mean" candidate. */
export interface Suggestion {
  id: string;
  /** Calibrated confidence, 0–1. */
  score: number;
  entry: FaqEntry;
}

/** What to do with a question. */
export type Decision =
  | { kind: 'answer'; entryId: string; entry: FaqEntry; confidence: number; suggestions: Suggestion[] }
  | { kind: 'escalate'; reason: EscalationReason; confidence?: number; suggestions?: Suggestion[] };

/** Thresholds and switches for {@link decide}. Every field is optional; see {@link DEFAULT_POLICY}. */
export interface DecidePolicy {
  /** Answer when the best candidate's confidence is at least this. */
  answerAt: number;
  /** Below this confidence nothing counts as relevant: `out_of_scope` rather than `low_confidence`. */
  outOfScopeBelow: number;
  /** When not answering: out of scope (not low confidence) if the FAQ's vocabulary covers less than this share of the question's word weight. */
  minCoverage: number;
  /** Suggestions ("did you mean") need at least this confidence. */
  suggestAt: number;
  maxSuggestions: number;
  /** Escalate with `repeated_miss` once this many answers in a row went unconfirmed and the shopper asks again. 0 disables. */
  maxMisses: number;
  /** Escalate with `asked_for_human` when the shopper asks for a person. */
  honorHumanRequest: boolean;
  /** Escalate with `negative_feedback` right after a "didn't help"; when false it only counts as a miss. */
  escalateOnNegativeFeedback: boolean;
}

/**
 * Defaults that work out of the box. `answerAt` was chosen on BANKING77 validation data (never test) for the
 * calibrated confidence, and frozen; see the package README for the numbers.
 */
export const DEFAULT_POLICY: Readonly<DecidePolicy> = {
  answerAt: 0.5,
  outOfScopeBelow: 0.15,
  minCoverage: 0.5,
  suggestAt: 0.15,
  maxSuggestions: 3,
  maxMisses: 3,
  honorHumanRequest: true,
  escalateOnNegativeFeedback: true,
};

const KINDS = ['question', 'answer', 'feedback', 'escalate'];

function checkInput(question: unknown, history: unknown, policy: Partial<DecidePolicy>): asserts history is HistoryEvent[] {
  const fail = (what: string): never => {
    throw new ParleyError('FAQ_BAD_QUERY', `decide(): ${what}`);
  };
  if (typeof question !== 'string') fail('question must be a string');
  if (!Array.isArray(history)) fail('history must be an array (pass [] for a new conversation)');
  (history as unknown[]).forEach((h, i) => KINDS.includes((h as { kind?: string } | null)?.kind ?? '') || fail(`history[${i}] has an unknown kind`));
  for (const [k, v] of Object.entries(policy)) {
    const d = DEFAULT_POLICY[k as keyof DecidePolicy];
    if (typeof v !== typeof d || (typeof v === 'number' && !(v >= 0))) fail(`policy.${k} must be a ${d === undefined ? 'known option' : `non-negative ${typeof d}`}`);
  }
}

// Answers since the last confirmed-helpful answer or hand-off; a negative feedback ends the scan as a miss.
function unconfirmedAnswers(history: HistoryEvent[]): { misses: number; lastSaidUnhelpful: boolean } {
  let misses = 0;
  let lastSaidUnhelpful = false;
  let sawAnswer = false;
  for (let i = history.length - 1; i >= 0; i--) {
    const h = history[i]!;
    if (h.kind === 'escalate') break;
    if (h.kind === 'feedback') {
      if (h.helpful) break;
      if (!sawAnswer) lastSaidUnhelpful = true;
    }
    if (h.kind === 'answer') { misses++; sawAnswer = true; }
  }
  return { misses, lastSaidUnhelpful };
}

/**
 * Decide whether to answer `question` from the FAQ or hand the conversation to a person.
 * Throws `FAQ_BAD_QUERY` for a non-string question, malformed history or an invalid policy value.
 * @example
 * const d = decide(index, 'where is my parcel?', history);
 * if (d.kind === 'answer') show(d.entry.answer, d.suggestions); else handOff(d.reason);
 */
export function decide(index: FaqIndex, question: string, history: HistoryEvent[] = [], policy: Partial<DecidePolicy> = {}): Decision {
  checkInput(question, history, policy);
  const p = { ...DEFAULT_POLICY, ...policy };
  if (p.honorHumanRequest && isHumanRequest(question)) return { kind: 'escalate', reason: 'asked_for_human' };
  const { misses, lastSaidUnhelpful } = unconfirmedAnswers(history);
  if (lastSaidUnhelpful && p.escalateOnNegativeFeedback) return { kind: 'escalate', reason: 'negative_feedback' };
  if (p.maxMisses > 0 && misses >= p.maxMisses) return { kind: 'escalate', reason: 'repeated_miss' };
  const { results, signals } = searchIndex(index.data, question, p.maxSuggestions + 1);
  const best = results[0];
  const suggest = (rs: SearchResult[]): Suggestion[] => rs.filter((r) => r.score >= p.suggestAt).slice(0, p.maxSuggestions);
  if (!best) return { kind: 'escalate', reason: 'out_of_scope' };
  if (best.score < p.answerAt) {
    // Not answering; the reason says whether anything related exists (worth offering as "did you mean").
    return best.score < p.outOfScopeBelow || signals.coverage < p.minCoverage
      ? { kind: 'escalate', reason: 'out_of_scope', confidence: best.score }
      : { kind: 'escalate', reason: 'low_confidence', confidence: best.score, suggestions: suggest(results) };
  }
  return { kind: 'answer', entryId: best.id, entry: best.entry, confidence: best.score, suggestions: suggest(results.slice(1)) };
}
