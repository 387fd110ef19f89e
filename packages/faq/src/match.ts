// Question → ranked candidates with calibrated confidences. Pure scoring over an IndexData; no policy, no history.
import { ParleyError } from './errors.js';
import type { FaqEntry } from './entry.js';
import type { IndexData, Postings } from './faq-index.js';
import { charTerms, deletions, termsOfStems, tfWeight, type TermVector } from './terms.js';
import { tokenize } from './tokenize.js';
import { synonymKeys } from './synonyms.js';

/** One ranked candidate. */
export interface SearchResult {
  id: string;
  /** Calibrated confidence in [0, 1] that this entry answers the question. Non-increasing down the list. */
  score: number;
  entry: FaqEntry;
}

/** Signals behind one candidate; `decide` uses the best one's to tell out-of-scope from low confidence. */
export interface MatchSignals {
  /** Raw match score (0–1 scale, not calibrated). */
  score: number;
  /** Raw score minus the best other candidate's (negative below the top). */
  margin: number;
  /** Share of the question's word weight (idf) that the FAQ vocabulary knows, 0–1. */
  coverage: number;
  /** Share of the question's word weight found in this entry's texts, 0–1. */
  entryCoverage: number;
  /** True when the word scorer and the character scorer both prefer this entry. */
  agree: boolean;
  /** Number of content words in the question. */
  words: number;
  /** How alike this entry's own texts are: varied phrasings lower what a right match scores. */
  selfSim: number;
  /** Share of the score of the 5 best-matching texts that belongs to this entry. */
  neighbours: number;
}

/** Search output: results plus the signals of the best one. */
export interface SearchOutcome {
  results: SearchResult[];
  signals: MatchSignals;
}

/**
 * Logistic calibration of P(this entry is the right answer) from the signals, in the order of
 * {@link calibrate}'s terms. Fitted once on BANKING77 train/val (scripts/bench/faq/tune.mjs --fit), then frozen.
 */
export const CALIBRATION = [-1.817, -4.046, 10.818, -0.868, 2.02, -0.121, -4.23, 2.206, 2.89] as const;

/** Calibrated confidence in [0, 1] for a candidate's signals. */
export function calibrate(g: MatchSignals, c: readonly number[] = CALIBRATION): number {
  const x = c[0]! + c[1]! * g.score + c[2]! * g.margin + c[3]! * g.coverage + c[4]! * g.entryCoverage + c[5]! * (g.agree ? 1 : 0) +
    c[6]! / Math.max(1, g.words) + c[7]! * (g.score / (g.selfSim || 1)) + c[8]! * g.neighbours;
  return 1 / (1 + Math.exp(-x));
}

// Cosine of a query vector against every target in the postings; unseen terms still count in the query
// norm, so a question with many words the FAQ never uses scores lower.
function cosine(p: Postings, q: TermVector, into: Float64Array): void {
  into.fill(0);
  let norm = 0;
  for (const [k, tf] of q) {
    const id = p.ids.get(k);
    norm += (tfWeight(tf) * (id === undefined ? p.unseenIdf : p.idf[id]!)) ** 2;
  }
  norm = Math.sqrt(norm) || 1;
  for (const [k, tf] of q) {
    const id = p.ids.get(k);
    if (id === undefined) continue;
    const x = (tfWeight(tf) * p.idf[id]!) / norm;
    for (let at = p.start[id]!, end = p.start[id + 1]!; at < end; at++) {
      const target = p.target[at]!;
      into[target] = into[target]! + x * p.weight[at]!;
    }
  }
}

function argmaxEntry(scores: Float64Array, textEntry: Int32Array): number {
  let best = -1;
  let bestScore = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i]! > bestScore) { bestScore = scores[i]!; best = textEntry[i]!; }
  return best;
}

// Per-index scratch buffers, reused by every query: fewer allocations, steadier tail latency. Safe because
// a search runs to completion synchronously.
const scratch = new WeakMap<IndexData, Float64Array[]>();

/** Score every entry for `text`; returns the `limit` best with confidences and the top's signals. */
export function searchIndex(data: IndexData, text: string, limit: number): SearchOutcome {
  if (typeof text !== 'string') throw new ParleyError('FAQ_BAD_QUERY', `question must be a string, got ${text === null ? 'null' : typeof text}`);
  if (text.length > 2000) text = text.slice(0, 2000); // a pasted essay is not a question; bound the work
  limit = limit >= 0 ? Math.floor(limit) : 0;
  const t = data.tuning;
  const W = data.words;
  const stems = tokenize(text, data.locale);
  // Typo tolerance: an unknown word of ≥ 5 letters maps to the commonest vocabulary word one edit away.
  const corrected: string[] = [];
  const typoed = new Set<string>();
  let mass = 0;
  let knownMass = 0;
  for (const s of stems) {
    let term = s;
    if (!W.ids.has(s) && s.length >= 5) {
      let best: string | undefined;
      for (const d of [s, ...deletions(s)]) {
        const cand = data.typos.get(d);
        if (cand !== undefined && (best === undefined || W.idf[W.ids.get(cand)!]! < W.idf[W.ids.get(best)!]!)) best = cand;
      }
      if (best) { term = best; typoed.add(best); }
    }
    corrected.push(term);
  }
  // A word the FAQ never uses still counts as known when it belongs to a synonym phrase the FAQ does use.
  const viaSynonym = new Map<number, string>();
  synonymKeys(corrected, data.synonyms, viaSynonym);
  corrected.forEach((term, i) => {
    const id = W.ids.get(term);
    const idf = id === undefined ? W.unseenIdf : W.idf[id]!;
    mass += idf;
    if (id !== undefined) knownMass += typoed.has(term) ? idf * t.typoWeight : idf;
    else if (W.ids.has(viaSynonym.get(i) ?? '')) knownMass += idf;
  });
  const qWords = termsOfStems(corrected, data.synonyms, t);
  for (const k of typoed) qWords.set(k, (qWords.get(k) ?? 1) * t.typoWeight);
  // An unknown word that a known synonym group stands for is replaced by the group at full weight, so
  // "refund?" against a FAQ that only says "return" is not penalised as unfamiliar.
  viaSynonym.forEach((key, i) => {
    if (W.ids.has(corrected[i]!) || !W.ids.has(key)) return;
    qWords.delete(corrected[i]!);
    qWords.set(key, Math.max(qWords.get(key) ?? 0, 1));
  });
  const nTexts = data.textEntry.length;
  const nEntries = data.entries.length;
  let buf = scratch.get(data);
  if (!buf) scratch.set(data, (buf = [new Float64Array(nTexts), new Float64Array(nTexts), new Float64Array(nEntries), new Float64Array(nEntries), new Float64Array(nEntries)]));
  const [ws, cs, ps, best, second] = buf as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  cosine(W, qWords, ws);
  cosine(data.chars, charTerms(text, t), cs);
  cosine(data.pooled, qWords, ps);
  best.fill(0);
  second.fill(0);
  // The 5 best-matching texts (number, score), best first: their entries' share feeds the confidence.
  const knn: number[] = [];
  for (let i = 0; i < nTexts; i++) {
    const s = (t.wordShare * ws[i]! + (1 - t.wordShare) * cs[i]!) * data.textWeight[i]!;
    if (s <= 0) continue;
    if (knn.length < 10 || s > knn[9]!) {
      let at = knn.length;
      while (at > 0 && knn[at - 1]! < s) at -= 2;
      knn.splice(at, 0, i, s);
      if (knn.length > 10) knn.length = 10;
    }
    const e = data.textEntry[i]!;
    if (s > best[e]!) { second[e] = best[e]!; best[e] = s; }
    else if (s > second[e]!) second[e] = s;
  }
  // Keep only the best max(limit, 2) entries (insertion into a short sorted list): sorting every entry
  // dominated query time for large FAQs.
  const keep = Math.max(2, limit);
  const scores: [number, number][] = [];
  for (let e = 0; e < nEntries; e++) {
    const s = ((best[e]! + t.secondShare * second[e]!) / (1 + t.secondShare)) * (1 - t.pooledShare) + t.pooledShare * ps[e]!;
    if (s <= 0 || (scores.length === keep && s <= scores[keep - 1]![1])) continue;
    let at = scores.length;
    while (at > 0 && scores[at - 1]![1] < s) at--;
    scores.splice(at, 0, [e, s]);
    if (scores.length > keep) scores.pop();
  }
  const top = scores[0]?.[1] ?? 0;
  const runnerUp = scores[1]?.[1] ?? 0;
  const coverage = mass ? knownMass / mass : 0;
  const topEntry = scores[0]?.[0] ?? -1;
  const wordBest = argmaxEntry(ws, data.textEntry);
  const charBest = argmaxEntry(cs, data.textEntry);
  let knnAll = 0;
  for (let k = 1; k < knn.length; k += 2) knnAll += knn[k]!;
  // Question word weight found in each entry: one pass over the pooled postings of the question's words.
  const P = data.pooled;
  const found = new Float64Array(nEntries);
  for (const term of new Set(corrected)) {
    const id = P.ids.get(term);
    if (id === undefined) continue;
    const idf = W.idf[W.ids.get(term)!]!;
    for (let at = P.start[id]!, end = P.start[id + 1]!; at < end; at++) found[P.target[at]!] = found[P.target[at]!]! + idf;
  }
  const signalsOf = (e: number, s: number): MatchSignals => {
    const m = found[e] ?? 0;
    let near = 0;
    for (let k = 0; k < knn.length; k += 2) if (data.textEntry[knn[k]!] === e) near += knn[k + 1]!;
    return {
      score: s,
      margin: s - (e === topEntry ? runnerUp : top),
      coverage,
      entryCoverage: mass ? Math.min(1, m / mass) : 0,
      agree: e >= 0 && wordBest === e && charBest === e,
      words: stems.length,
      selfSim: data.selfSim[e] ?? 0,
      neighbours: knnAll ? near / knnAll : 0,
    };
  };
  const signals = signalsOf(topEntry, top); // topEntry -1 (no candidate): zero signals
  const results: SearchResult[] = [];
  let cap = 1;
  for (const [e, s] of scores.slice(0, limit)) {
    // Clamp so confidences never rise down the list, whatever the per-candidate signals say.
    cap = Math.min(cap, calibrate(e === topEntry ? signals : signalsOf(e, s)));
    results.push({ id: data.entries[e]!.id, score: cap, entry: data.entries[e]! });
  }
  return { results, signals };
}
