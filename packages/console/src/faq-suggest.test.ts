import { readFileSync } from 'node:fs';
import { buildIndex, compileIndex, parseFaqMarkdown } from '@parley/faq';
import { describe, expect, it, vi } from 'vitest';
import { loadSuggester } from './faq-suggest.js';

const doc = parseFaqMarkdown(readFileSync(new URL('../../faq/fixtures/storefront-faq.md', import.meta.url), 'utf8'));
const built = buildIndex(doc.entries, { synonyms: doc.synonyms });
const serve = (body: unknown): typeof fetch => (async () => new Response(JSON.stringify(body))) as typeof fetch;

describe('loadSuggester', () => {
  it.each([
    ['a compiled FAQ (what the widget loads)', compileIndex(built)],
    ['a toJSON() index', built.toJSON()],
    ['an entries file', doc.entries],
  ])('suggests answers from %s', async (_, body) => {
    const suggest = await loadSuggester('/faq.json', { fetch: serve(body) });
    expect(suggest!('how long does delivery take?')[0]).toMatchObject({ entryId: 'delivery-time' });
  });

  it('reports a compiled file with an unsafe link and gives no suggester', async () => {
    const compiled = compileIndex(built);
    compiled.entries[0]!.link = 'javascript:alert(1)';
    const onError = vi.fn();
    expect(await loadSuggester('/faq.json', { fetch: serve(compiled), onError })).toBeUndefined();
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'FAQ_INDEX_CORRUPT' }));
  });
});
