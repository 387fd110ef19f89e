// A FAQ in another language than English: faq.js (runtime-core, English words only) gets that language's words
// from its own chunk (faq-words-<lang>) before the first answer, for a compiled file and for one built in the page.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LoadModule, ModuleMap } from './modules.js';

const ENTRIES = [
  { id: 'lieferung', question: 'Wie lange dauert die Lieferung?', answer: 'Drei bis fünf Werktage.', phrasings: ['Wann kommt meine Bestellung an?'] },
  { id: 'rueckgabe', question: 'Wie kann ich einen Artikel zurückgeben?', answer: 'Rücksendungen sind 30 Tage lang kostenlos.' },
];
let compiled: unknown;

beforeAll(async () => {
  // The full package (every language) writes the file, as `parley-faq build --compiled` would; the page below
  // starts from a fresh module graph that has only what faq.js carries.
  const full = await import('@parley/faq');
  compiled = full.compileIndex(full.buildIndex(ENTRIES, { locale: 'de' }));
  vi.resetModules();
});
afterEach(() => vi.unstubAllGlobals());

async function page(): Promise<{ load: LoadModule; loaded: string[]; createFaqLoader: typeof import('./faq-source.js').createFaqLoader }> {
  const core = await import('@parley/faq/runtime-core');
  const words = await import('@parley/faq/locale-words');
  const { createFaqLoader } = await import('./faq-source.js');
  const loaded: string[] = [];
  const modules = {
    faq: core,
    'faq-words-de': { de: words.de },
    // The builder chunk is its own bundle with every language: a separate module graph stands for it.
    'faq-build': { buildIndex: (...a: unknown[]) => builder.buildIndex(...(a as [never])), loadIndex: (j: unknown) => builder.loadIndex(j as never) },
  } as unknown as ModuleMap;
  const load = (async (name: keyof ModuleMap) => {
    loaded.push(name);
    return modules[name];
  }) as LoadModule;
  return { load, loaded, createFaqLoader };
}
let builder: typeof import('@parley/faq');

describe('a German FAQ in the page', () => {
  it('a compiled file: fetches faq-words-de before loading it, then answers in German', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(compiled))));
    const { load, loaded, createFaqLoader } = await page();
    const engine = await createFaqLoader({ faqUrl: '/faq.json' }, 'de', load)();
    expect(loaded).toEqual(['faq', 'faq-words-de']);
    expect(engine!.decide('Wann kommt die Lieferung?', [])).toMatchObject({ kind: 'answer', entryId: 'lieferung' });
  });

  it('entries built in the page: the builder has its own words, faq.js still fetches German for the questions', async () => {
    vi.resetModules();
    builder = await import('@parley/faq');
    vi.resetModules();
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(ENTRIES))));
    const { load, loaded, createFaqLoader } = await page();
    const engine = await createFaqLoader({ faqUrl: '/faq.json' }, 'de', load)();
    expect(loaded).toEqual(['faq', 'faq-build', 'faq-words-de']);
    expect(engine!.decide('Wann kommt die Lieferung?', [])).toMatchObject({ kind: 'answer', entryId: 'lieferung' });
  });
});
