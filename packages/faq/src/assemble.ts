// Entries + compiled settings → the searchable structures (postings, typo map). Shared by buildIndex, which
// validates entries and computes selfSim around it, and by the runtime loader (runtime.ts), which reads both
// from a compiled file: the two paths search identical structures.
import type { FaqEntry } from './entry.js';
import type { FieldWeights, IndexData, MatchTuning, Postings } from './faq-index.js';
import type { FaqLocale } from './stem.js';
import type { SynonymTable } from './synonyms.js';
import { charTerms, deletions, tfWeight, wordTerms, type TermVector } from './terms.js';
import { toLocale } from './tokenize.js';

// Sublinear tf (1 + ln tf) × idf × relative weight, L2-normalised: long answers do not drown short questions.
// Document frequency counts entries, not texts (`entryOf` maps text → entry): a word in every phrasing of
// one entry is what makes that entry distinctive, so it must not look common.
function buildPostings(vectors: TermVector[], entryOf?: Int32Array): Postings {
  const ids = new Map<string, number>();
  const df: number[] = [];
  const count: number[] = [];
  const last: number[] = [];
  vectors.forEach((v, i) => {
    const g = entryOf ? entryOf[i]! : i;
    for (const k of v.keys()) {
      let id = ids.get(k);
      if (id === undefined) { ids.set(k, (id = df.length)); df.push(0); count.push(0); last.push(-1); }
      count[id]!++;
      if (last[id] !== g) { last[id] = g; df[id]!++; }
    }
  });
  const n = entryOf ? new Set(entryOf).size : vectors.length;
  const idf = Float64Array.from(df, (d) => Math.log((1 + n) / (1 + d)) + 1);
  const start = new Int32Array(df.length + 1);
  for (let t = 0; t < df.length; t++) start[t + 1] = start[t]! + count[t]!;
  const fill = Int32Array.from(start);
  const target = new Int32Array(start[df.length]!);
  const weight = new Float64Array(target.length);
  vectors.forEach((v, i) => {
    let norm = 0;
    for (const [k, tf] of v) norm += (tfWeight(tf) * idf[ids.get(k)!]!) ** 2;
    norm = Math.sqrt(norm) || 1;
    for (const [k, tf] of v) {
      const id = ids.get(k)!;
      const at = fill[id]!++;
      target[at] = i;
      weight[at] = (tfWeight(tf) * idf[id]!) / norm;
    }
  });
  return { ids, idf, start, target, weight, unseenIdf: Math.log(1 + n) + 1 };
}

/** IndexData without selfSim, plus which texts are answers (selfSim leaves them out). */
export interface Assembled {
  data: Omit<IndexData, 'selfSim'>;
  isAnswerText: boolean[];
}

/** Postings and typo map for entries already checked by the caller. */
export function assemble(entries: FaqEntry[], locale: FaqLocale, tuning: MatchTuning, fields: FieldWeights, synonyms: SynonymTable): Assembled {
  const textEntry: number[] = [];
  const textWeight: number[] = [];
  const isAnswerText: boolean[] = [];
  const wordVecs: TermVector[] = [];
  const charVecs: TermVector[] = [];
  const pooledVecs: TermVector[] = [];
  entries.forEach((e, ei) => {
    const loc = toLocale(e.locale, locale);
    const pooled: TermVector = new Map();
    // The answer is matched (at a lower weight) but kept out of the pooled entry vector: answers are long
    // and would drown the question's words.
    const texts: [string, number, boolean][] = [[e.question, fields.question, false], ...(e.phrasings ?? []).map((p): [string, number, boolean] => [p, fields.phrasing, false])];
    if (fields.answer > 0) texts.push([e.answer, fields.answer, true]);
    for (const [text, weight, isAnswer] of texts) {
      const wv = wordTerms(text, loc, synonyms, tuning);
      textEntry.push(ei);
      textWeight.push(weight);
      isAnswerText.push(isAnswer);
      wordVecs.push(wv);
      charVecs.push(charTerms(text, tuning));
      if (isAnswer) continue;
      for (const [k, w] of wv) pooled.set(k, (pooled.get(k) ?? 0) + w);
    }
    pooledVecs.push(pooled);
  });
  const entryOf = Int32Array.from(textEntry);
  const words = buildPostings(wordVecs, entryOf);
  const typos = new Map<string, string>();
  for (const [k, id] of words.ids) {
    if (k.length < 4 || k.includes(' ') || k.startsWith('~')) continue;
    for (const d of [k, ...deletions(k)]) {
      const had = typos.get(d);
      if (had === undefined || words.idf[words.ids.get(had)!]! > words.idf[id]!) typos.set(d, k);
    }
  }
  return {
    data: {
      entries: entries.map((e) => ({ ...e })),
      locale,
      tuning,
      synonyms,
      textEntry: entryOf,
      textWeight: Float64Array.from(textWeight),
      words,
      chars: buildPostings(charVecs, entryOf),
      pooled: buildPostings(pooledVecs),
      typos,
    },
    isAnswerText,
  };
}
