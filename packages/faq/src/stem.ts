// Light per-locale stemmers for normalised, diacritic-free words. Pure; tokenisation lives elsewhere, and the
// other languages' suffix and prefix tables in locale-words.ts (added on demand).
import { localeWords } from './locale-words.js';

/** Locales the matcher knows. Others are matched unstemmed. */
export type FaqLocale = 'en' | 'es' | 'fr' | 'de' | 'pt' | 'it' | 'nl' | 'ja' | 'ar' | 'he';

// English: Porter step 1 (plurals, -ed/-ing) then one derivational ending, then undouble the final consonant.
// Matching only needs query and FAQ words to collapse to the same key ("activation", "activated" → "activ"),
// not linguistically right stems.
const EN_ENDINGS = 'ational ization ification ication ations ation ements ement ments ment ities ity ness ical ably ibly ally able ible ful ify ive ize ise ate ion al ly y e'.split(' ');
const VOWEL = /[aeiouy]/;

function stemEnglish(w: string): string {
  if (w.length < 4) return w;
  if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (/[^aeiou]ie[sd]$/.test(w)) w = w.slice(0, -3) + 'y';
  else if (w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  const m = /^(.+?)(ed|ing)$/.exec(w);
  if (m && VOWEL.test(m[1]!) && m[1]!.length > 2) w = /(at|bl|iz)$/.test(m[1]!) ? m[1] + 'e' : m[1]!;
  for (const suf of EN_ENDINGS) {
    // A stem of 4 letters at least ("arrive" must not become "arr"); 3 for a bare -e ("size", "sizing" → "siz").
    if (w.endsWith(suf) && w.length - suf.length >= (suf === 'e' ? 3 : 4)) { w = w.slice(0, -suf.length); break; }
  }
  return /([^aeiou])\1$/.test(w) ? w.slice(0, -1) : w;
}

/**
 * Reduce a normalised word to its matching key for `locale`.
 * @example stem('deliveries', 'en') === stem('delivery', 'en')
 */
export function stem(word: string, locale: FaqLocale): string {
  if (locale === 'en') return stemEnglish(word);
  const { prefix, prefixMin, suffixes } = localeWords(locale);
  if (prefix) return word.length >= prefixMin ? word.replace(prefix, '') : word;
  for (const suf of suffixes) {
    if (word.endsWith(suf) && word.length - suf.length >= 3) return word.slice(0, -suf.length);
  }
  return word;
}
