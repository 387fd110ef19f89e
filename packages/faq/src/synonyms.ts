// Synonym groups: the built-in shopping list and compiling owner groups into term rewrites. Pure; no scoring.
import { tokenize } from './tokenize.js';
import type { FaqLocale } from './stem.js';

/**
 * Built-in storefront synonyms (English). Owners add their own with `synonyms` in the FAQ file or
 * `buildIndex(entries, { synonyms })`; `builtinSynonyms: false` turns these off.
 */
// Pure: a bundle that only matches (the runtime entry) drops the table.
export const BUILTIN_SYNONYMS: readonly (readonly string[])[] = /*#__PURE__*/ (
  'refund,return,money back,reimburse,send back;' +
  'shipping,delivery,deliver,ship,postage,courier;' +
  'order,purchase,bought,buy;' +
  'cancel,cancellation,call off;' +
  'payment,pay,paying,checkout,billing;' +
  'size,fit,sizing,measurements;' +
  'account,login,log in,sign in,signin,password;' +
  'track,tracking,where is my order,status;' +
  'exchange,swap,replace;' +
  'discount,coupon,promo code,voucher;' +
  'broken,damaged,defective,faulty'
).split(';').map((group) => group.split(','));

/** Compiled synonym phrases: stem sequence → group key, longest phrases first. */
export interface SynonymTable {
  phrases: { terms: string[]; key: string }[];
}

/** Compile synonym groups for `locale`; a group's key is `~` plus its first phrase's stems. */
export function compileSynonyms(groups: readonly (readonly string[])[], locale: FaqLocale): SynonymTable {
  const phrases: SynonymTable['phrases'] = [];
  for (const group of groups) {
    const first = group[0];
    if (first === undefined) continue;
    const key = '~' + tokenize(first, locale).join('_');
    for (const p of group) {
      const terms = tokenize(p, locale);
      if (terms.length) phrases.push({ terms, key });
    }
  }
  phrases.sort((a, b) => b.terms.length - a.terms.length);
  return { phrases };
}

/** Group keys for every synonym phrase found in `terms` (each group once); `covered` receives matched positions. */
export function synonymKeys(terms: readonly string[], table: SynonymTable, covered?: Map<number, string>): string[] {
  const keys = new Set<string>();
  for (const { terms: p, key } of table.phrases) {
    for (let i = 0; i + p.length <= terms.length; i++) {
      let j = 0;
      while (j < p.length && terms[i + j] === p[j]) j++;
      if (j < p.length) continue;
      keys.add(key);
      for (j = 0; j < p.length; j++) covered?.set(i + j, key);
    }
  }
  return [...keys];
}
