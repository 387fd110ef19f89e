// Text → weighted term vectors (word stems, pairs, synonym groups, character n-grams). Pure; no postings or scores.
import { charGrams, normalizeText, tokenize } from './tokenize.js';
import { synonymKeys, type SynonymTable } from './synonyms.js';
import type { FaqLocale } from './stem.js';
import type { MatchTuning } from './faq-index.js';

/** A sparse vector: term → weight. */
export type TermVector = Map<string, number>;

/** Word-side terms of a text: stems, adjacent pairs and synonym groups, with their relative weights. */
export function wordTerms(text: string, locale: FaqLocale, syn: SynonymTable, t: MatchTuning): TermVector {
  return termsOfStems(tokenize(text, locale), syn, t);
}

/** Same as {@link wordTerms} for already-stemmed words. */
export function termsOfStems(stems: string[], syn: SynonymTable, t: MatchTuning): TermVector {
  const v: TermVector = new Map();
  const add = (k: string, w: number): void => void v.set(k, (v.get(k) ?? 0) + w);
  stems.forEach((s, i) => {
    add(s, 1);
    const next = stems[i + 1];
    if (next !== undefined && t.bigramWeight > 0) add(`${s} ${next}`, t.bigramWeight);
  });
  if (t.synonymWeight > 0) for (const k of synonymKeys(stems, syn)) add(k, t.synonymWeight);
  return v;
}

/** Character side of a text: n-grams of the normalised text. */
export function charTerms(text: string, t: MatchTuning): TermVector {
  const v: TermVector = new Map();
  const norm = normalizeText(text);
  for (const n of t.charSizes) for (const g of charGrams(norm, n)) v.set(g, (v.get(g) ?? 0) + 1);
  return v;
}

/** 1 + ln(tf) for tf ≥ 1; fractional weights (pairs, synonyms) scale linearly below 1. */
export function tfWeight(tf: number): number {
  return tf >= 1 ? 1 + Math.log(tf) : tf;
}

/** `word` with each one character deleted: two words sharing a key are at most one edit apart (swaps included). */
export function deletions(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}

