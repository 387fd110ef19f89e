// @parley/faq/runtime-core: English only until another language's words are added; a FAQ in another language is
// refused with FAQ_LOCALE_NOT_LOADED (never matched unstemmed), faqLocales names what it needs, and once the
// words are added it ranks exactly as the full package does.
import { beforeAll, describe, expect, it, vi } from 'vitest';

const ENTRIES = [
  { id: 'lieferung', question: 'Wie lange dauert die Lieferung?', answer: 'Die Lieferung dauert drei bis fünf Werktage.', phrasings: ['Wann kommt meine Bestellung an?'] },
  { id: 'rueckgabe', question: 'Wie kann ich einen Artikel zurückgeben?', answer: 'Rücksendungen sind 30 Tage lang kostenlos.' },
  { id: 'zahlung', question: 'Welche Zahlungsarten akzeptieren Sie?', answer: 'Karte, PayPal und Rechnung.' },
  // An entry in another language than the FAQ's: its words are needed too.
  { id: 'mishloah', question: 'כמה זמן לוקח המשלוח?', answer: 'המשלוח לוקח שלושה עד חמישה ימי עבודה.', locale: 'he' },
];
const QUESTIONS = ['Wann kommt die Lieferung?', 'Artikel zurückgeben', 'Zahlungen mit Karte', 'מתי המשלוח מגיע', 'Lieferungen ins Ausland'];

let compiled: string;
let expected: unknown[];

beforeAll(async () => {
  // The full package (every language added) builds the FAQ and gives the reference ranking; then a fresh module
  // graph stands for the widget's faq.js, which has only runtime-core.
  const full = await import('./index.js');
  const index = full.buildIndex(ENTRIES, { locale: 'de' });
  compiled = JSON.stringify(full.compileIndex(index));
  expected = QUESTIONS.map((q) => index.search(q).map((r) => [r.entry.id, r.score.toFixed(5)]));
  vi.resetModules();
});

describe('runtime-core', () => {
  it('refuses a German FAQ before its words are added, names the languages it needs, then ranks as the full package', async () => {
    const core = await import('./runtime-core.js');
    expect(core.faqLocales(compiled).sort()).toEqual(['de', 'he']);
    expect(() => core.loadCompiled(compiled)).toThrow(expect.objectContaining({ code: 'FAQ_LOCALE_NOT_LOADED' }));

    const { de, he } = await import('./other-locale-words.js');
    core.addLocaleWords({ de });
    expect(core.faqLocales(compiled)).toEqual(['he']);
    expect(() => core.loadCompiled(compiled)).toThrow(expect.objectContaining({ code: 'FAQ_LOCALE_NOT_LOADED' }));
    core.addLocaleWords({ he });
    expect(core.faqLocales(compiled)).toEqual([]);

    const faq = core.loadCompiled(compiled);
    expect(QUESTIONS.map((q) => faq.search(q).map((r) => [r.entry.id, r.score.toFixed(5)]))).toEqual(expected);
    expect(faq.search('Wann kommt die Lieferung?')[0]!.entry.id).toBe('lieferung');
  });

  it('needs nothing for an English FAQ, and ignores what loadCompiled will refuse anyway', async () => {
    const core = await import('./runtime-core.js');
    expect(core.faqLocales({ format: 'parley-faq-compiled', locale: 'en', entries: [{ locale: 'en-GB' }, null, { locale: 7 }] })).toEqual([]);
    expect(core.faqLocales('not json')).toEqual([]);
    expect(core.faqLocales(null)).toEqual([]);
  });
});
