// Stop words and light-stemmer data per locale. English (and Japanese, which has neither) are built in; the
// other languages (other-locale-words.ts) are added by whoever needs them: index.ts and runtime.ts add them all,
// the widget adds only the languages its FAQ uses, fetched on demand. A registry of tables; no matching here.
import { ParleyError } from './errors.js';
import type { FaqLocale } from './stem.js';

/** One language's data, as other-locale-words.ts writes it. */
export interface LocaleWords {
  /** Stop words, space-separated, normalised and diacritic-free. */
  stop: string;
  /** Suffixes the light stemmer strips (longest first, space-separated; minimum stem 3). */
  suffixes?: string;
  /** Prefixes the stemmer strips instead (Arabic, Hebrew), from words of at least `prefixMin` letters. */
  prefix?: RegExp;
  prefixMin?: number;
}

/** A registered language, ready for the matcher. */
export interface LoadedWords {
  stop: Set<string>;
  suffixes: string[];
  prefix?: RegExp;
  prefixMin: number;
}

// Negations and question words are deliberately kept out of stop words: "not working" and "why was I charged"
// carry meaning a FAQ has to match on.
const loaded = new Map<FaqLocale, LoadedWords>();

/** Registers languages (a later call for the same language replaces it). */
export function addLocaleWords(words: Partial<Record<FaqLocale, LocaleWords>>): void {
  for (const [locale, w] of Object.entries(words) as Array<[FaqLocale, LocaleWords]>) {
    loaded.set(locale, {
      stop: new Set(w.stop.split(' ').filter(Boolean)),
      suffixes: w.suffixes ? w.suffixes.split(' ') : [],
      prefix: w.prefix,
      prefixMin: w.prefixMin ?? 0,
    });
  }
}

/** The registered data of `locale`; throws `FAQ_LOCALE_NOT_LOADED` when its language has not been added. */
export function localeWords(locale: FaqLocale): LoadedWords {
  const words = loaded.get(locale);
  if (!words) throw new ParleyError('FAQ_LOCALE_NOT_LOADED', `no words for "${locale}": addLocaleWords({ ${locale}: OTHER_LOCALE_WORDS.${locale} }) first`);
  return words;
}

/** Whether `locale`'s language has been added. */
export const hasLocaleWords = (locale: FaqLocale): boolean => loaded.has(locale);

addLocaleWords({
  en: { stop: 'a an the i me my we our you your it its is am are was were be been do does did have has had to of in on at for with by from as and or but so if this that these there can could would should will may might must please im ive just also about into than then them they he she him her hi hello thanks thank any some' },
  ja: { stop: '' },
});
