// Unit tests for normalisation, word splitting, stemming and n-grams.
import { describe, expect, it } from 'vitest';
import { charGrams, normalizeText, splitWords, tokenize, toLocale } from './tokenize.js';
import { addLocaleWords } from './locale-words.js';
import { OTHER_LOCALE_WORDS } from './other-locale-words.js';

// tokenize.ts is imported alone here: add the languages index.ts would add.
addLocaleWords(OTHER_LOCALE_WORDS);

describe('normalizeText', () => {
  it('folds case, strips diacritics and punctuation', () => {
    expect(normalizeText('Où est ma COMMANDE ?!')).toBe('ou est ma commande');
    expect(normalizeText('Ｆｕｌｌ－ｗｉｄｔｈ')).toBe('full width');
  });
  it('expands English "n\'t" so negations match "not"', () => {
    expect(normalizeText("It hasn't arrived")).toBe('it has not arrived');
  });
  it('keeps kana voicing marks (が stays が)', () => {
    expect(normalizeText('ガイド')).toBe('ガイド');
  });
  it('strips Arabic harakat and Hebrew niqqud', () => {
    expect(normalizeText('مُوَظَّف')).toBe('موظف');
    expect(normalizeText('שָׁלוֹם')).toBe('שלום');
  });
});

describe('splitWords', () => {
  it('splits Japanese runs into character bigrams', () => {
    expect(splitWords('配送料')).toEqual(['配送', '送料']);
  });
});

describe('tokenize', () => {
  it('drops stop words and stems English', () => {
    expect(tokenize('Where are my deliveries?')).toEqual(['wher', 'deliver']);
    expect(tokenize('activation')).toEqual(tokenize('activated'));
    expect(tokenize('cancelled')).toEqual(tokenize('cancel'));
  });
  it('keeps negations and question words', () => {
    expect(tokenize('why is it not working')).toEqual(['why', 'not', 'work']);
  });
  it('stems Spanish, French and German lightly', () => {
    expect(tokenize('devoluciones', 'es')).toEqual(tokenize('devolucion', 'es'));
    expect(tokenize('livraisons', 'fr')).toEqual(tokenize('livraison', 'fr'));
    expect(tokenize('Lieferungen', 'de')).toEqual(tokenize('Lieferung', 'de'));
  });
});

describe('charGrams', () => {
  it('pads with spaces so word edges count', () => {
    expect(charGrams('ab', 3)).toEqual([' ab', 'ab ']);
  });
});

describe('toLocale', () => {
  it('maps BCP 47 tags to shipped locales', () => {
    expect(toLocale('pt-BR', 'en')).toBe('pt');
    expect(toLocale('xx', 'en')).toBe('en');
  });
});
