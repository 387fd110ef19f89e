// @parley/faq/runtime: a compiled FAQ (through JSON, as a browser gets it) decides like the index it was
// compiled from, and a malformed or hostile file is refused with a typed error.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileIndex } from './compile.js';
import { decide as decideBuilt, type HistoryEvent } from './escalate.js';
import { buildIndex } from './faq-index.js';
import { parseFaqMarkdown } from './parse-markdown.js';
import { decide, loadCompiled, type CompiledFaq } from './runtime.js';

const read = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
const doc = parseFaqMarkdown(read('storefront-faq.md'), 'storefront-faq.md');
const built = buildIndex(doc.entries, { synonyms: doc.synonyms });
const text = JSON.stringify(compileIndex(built));
const questions = (JSON.parse(read('storefront-questions.json')) as { q: string }[]).map((q) => q.q);
// Compiled entries carry no tags (matching never reads them) and self-similarities to 6 digits, so confidences
// are compared to 5 decimals; everything else (kinds, reasons, entries, order) must be identical.
const same = (x: unknown): unknown =>
  JSON.parse(JSON.stringify(x, (k, v: unknown) => (k === 'tags' ? undefined : typeof v === 'number' ? Math.round(v * 1e5) / 1e5 : v)));
const fresh = (): CompiledFaq => JSON.parse(text) as CompiledFaq;
const corrupt = (edit: (c: CompiledFaq & Record<string, unknown>) => void): (() => unknown) => () => {
  const c = fresh() as CompiledFaq & Record<string, unknown>;
  edit(c);
  return loadCompiled(c);
};

describe('loadCompiled', () => {
  it('decides and ranks every fixture question as the built index does', () => {
    const compiled = loadCompiled(text);
    expect(compiled.entries.length).toBe(built.size);
    const history: HistoryEvent[] = [];
    for (const q of [...questions, 'asdf qwerty', '', 'Où est ma commande ?', '配送にはどのくらいかかりますか']) {
      expect(same(decide(compiled, q, history))).toEqual(same(decideBuilt(built, q, history)));
      expect(same(compiled.search(q, { limit: 4 }))).toEqual(same(built.search(q, { limit: 4 })));
    }
    // History-dependent rules go through the same code.
    const h: HistoryEvent[] = [{ kind: 'answer', entryId: 'delivery-time' }, { kind: 'feedback', helpful: false }];
    expect(same(decide(compiled, 'still no parcel', h))).toEqual(same(decideBuilt(built, 'still no parcel', h)));
  });

  it('keeps the file about the size of the entries, without tags', () => {
    const entriesOnly = JSON.stringify(doc.entries).length;
    expect(text.length).toBeLessThan(entriesOnly * 1.3);
    expect(text).not.toContain('"tags"');
  });

  it('refuses other files and other versions with typed errors', () => {
    expect(() => loadCompiled('{not json')).toThrow(expect.objectContaining({ code: 'FAQ_INDEX_CORRUPT' }));
    expect(() => loadCompiled(built.toJSON())).toThrow(expect.objectContaining({ code: 'FAQ_INDEX_CORRUPT' }));
    expect(() => loadCompiled(null)).toThrow(expect.objectContaining({ code: 'FAQ_INDEX_CORRUPT' }));
    expect(corrupt((c) => (c.version = 2))).toThrow(expect.objectContaining({ code: 'FAQ_INDEX_VERSION' }));
  });

  it('keeps replies within the limits, as the widget shows them', () => {
    const c = fresh();
    c.entries[0]!.replies = ['Yes', 'x'.repeat(40), 'c', 'd', 'e'];
    expect(loadCompiled(c).entries[0]!.replies).toEqual(['Yes', 'x'.repeat(40), 'c', 'd', 'e']);
  });

  it.each<[string, (c: CompiledFaq & Record<string, unknown>) => void]>([
    ['a javascript: link', (c) => (c.entries[0]!.link = 'javascript:alert(1)')],
    ['a relative link', (c) => (c.entries[0]!.link = '/evil')],
    ['an over-long answer', (c) => (c.entries[0]!.answer = 'x'.repeat(5001))],
    ['a non-string question', (c) => ((c.entries[1] as unknown as Record<string, unknown>).question = 42)],
    ['a duplicate id', (c) => (c.entries[1]!.id = c.entries[0]!.id)],
    ['an empty id', (c) => (c.entries[1]!.id = '')],
    ['phrasings that are not strings', (c) => ((c.entries[0] as unknown as Record<string, unknown>).phrasings = [{}])],
    ['a null entry', (c) => ((c.entries as unknown[])[2] = null)],
    ['selfSim of the wrong length', (c) => c.selfSim.pop()],
    ['a NaN-making selfSim', (c) => ((c.selfSim as unknown[])[0] = 'x')],
    ['an unknown locale', (c) => ((c as Record<string, unknown>).locale = 'xx')],
    ['a negative tuning weight', (c) => (c.tuning.wordShare = -1)],
    ['missing tuning', (c) => delete (c as Record<string, unknown>).tuning],
    ['zero-size character n-grams', (c) => (c.tuning.charSizes = [0])],
    ['missing field weights', (c) => ((c as Record<string, unknown>).fields = null)],
    ['a one-element synonym phrase', (c) => c.synonyms.push(['~x'])],
    ['entries that are not a list', (c) => ((c as Record<string, unknown>).entries = {})],
    ['replies that are a string, not a list', (c) => ((c.entries[0] as unknown as Record<string, unknown>).replies = 'Yes')],
    ['more replies than FAQ_LIMITS.replies', (c) => (c.entries[0]!.replies = ['a', 'b', 'c', 'd', 'e', 'f'])],
    ['an over-long reply', (c) => (c.entries[0]!.replies = ['x'.repeat(41)])],
    ['a blank reply', (c) => (c.entries[0]!.replies = ['Yes', '   '])],
    ['a reply that is not a string', (c) => ((c.entries[0] as unknown as Record<string, unknown>).replies = [7])],
    ['a blank phrasing', (c) => (c.entries[0]!.phrasings = [''])],
  ])('refuses %s with FAQ_INDEX_CORRUPT', (_, edit) => {
    expect(corrupt(edit)).toThrow(expect.objectContaining({ code: 'FAQ_INDEX_CORRUPT' }));
  });
});
