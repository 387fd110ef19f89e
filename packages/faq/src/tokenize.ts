// Text → normalised words, stems and character n-grams. Unicode-aware and locale-light; knows nothing of entries or scores.
import { stem, type FaqLocale } from './stem.js';
import { localeWords } from './locale-words.js';

// Combining marks to drop after NFKD: Latin/Greek diacritics, Arabic harakat, Hebrew niqqud. Kana voicing
// marks (U+3099) are not in these ranges, so NFC puts が back together.
const DIACRITICS = /[\u0300-\u036f\u064b-\u065f\u0670\u0591-\u05c7]/g;
// Kana and Han runs are tokenised as overlapping character bigrams: they are written without spaces.
const CJK = /[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]/;

/**
 * Normalise text for matching: NFKD, strip diacritics, case fold, English "n't" → " not", punctuation → space.
 * @example normalizeText("Où est ma commande ?") === 'ou est ma commande'
 */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(DIACRITICS, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(/n['’]t\b/g, ' not')
    .replace(/['’]s\b/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Split normalised text into words; Kana/Han runs become character bigrams. */
export function splitWords(normalized: string): string[] {
  const out: string[] = [];
  for (const w of normalized.split(' ')) {
    if (!w) continue;
    if (!CJK.test(w)) { out.push(w); continue; }
    const chars = [...w];
    if (chars.length === 1) out.push(w);
    for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  }
  return out;
}

/**
 * Matching terms for text: normalised, stop words of `locale` removed, stemmed.
 * @example tokenize('Where are my deliveries?', 'en') // ['where', 'deliveri']
 */
export function tokenize(text: string, locale: FaqLocale = 'en'): string[] {
  const stops = localeWords(locale).stop;
  return splitWords(normalizeText(text))
    .filter((w) => !stops.has(w))
    .map((w) => stem(w, locale));
}

/** Character n-grams of normalised text, padded with a space at each end so word edges count. */
export function charGrams(normalized: string, n: number): string[] {
  const t = ` ${normalized} `;
  const out: string[] = [];
  for (let i = 0; i + n <= t.length; i++) out.push(t.slice(i, i + n));
  return out;
}

/** Guess a locale for a BCP 47 tag ('pt-BR' → 'pt'); unknown tags fall back to `fallback`. */
export function toLocale(tag: string | undefined, fallback: FaqLocale): FaqLocale {
  const base = (tag ?? '').toLowerCase().split(/[-_]/)[0];
  return base && 'en es fr de pt it nl ja ar he'.includes(base) && base.length === 2 ? (base as FaqLocale) : fallback;
}
