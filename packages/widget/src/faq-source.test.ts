import * as faqBuild from '@parley/faq';
import * as faqRuntime from '@parley/faq/runtime';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFaqLoader } from './faq-source.js';
import type { LoadModule, ModuleMap } from './modules.js';

const { entries, synonyms } = faqBuild.parseFaqMarkdown(readFileSync(new URL('../../faq/fixtures/storefront-faq.md', import.meta.url), 'utf8'));
const built = faqBuild.buildIndex(entries, { synonyms });
const QUESTION = 'how long does delivery take?';

/** The real engine modules, recording which ones the loader asked for. */
function loader(): { load: LoadModule; loaded: string[] } {
  const loaded: string[] = [];
  const modules = { faq: faqRuntime, 'faq-build': faqBuild } as unknown as ModuleMap;
  const load = (async (name: keyof ModuleMap) => {
    loaded.push(name);
    return modules[name];
  }) as LoadModule;
  return { load, loaded };
}
const serve = (body: unknown, status = 200) =>
  vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(body), { status })));

afterEach(() => vi.unstubAllGlobals());

describe('createFaqLoader', () => {
  it('loads only the query engine for a compiled file, and answers', async () => {
    serve(faqBuild.compileIndex(built));
    const { load, loaded } = loader();
    const engine = await createFaqLoader({ faqUrl: '/faq.json' }, 'en', load)();
    expect(loaded).toEqual(['faq']);
    expect(engine!.decide(QUESTION, [])).toMatchObject({ kind: 'answer', entryId: 'delivery-time' });
  });

  it.each([
    ['an entries file', () => serve(entries), {}],
    ['a toJSON() index', () => serve(built.toJSON()), {}],
    ['inline entries', () => serve('never fetched', 500), { faq: entries }],
  ])('builds %s in the page with the builder chunk', async (_, setup, extra) => {
    setup();
    const { load, loaded } = loader();
    const engine = await createFaqLoader({ faqUrl: '/faq.json', ...extra }, 'en', load)();
    expect(loaded).toEqual(['faq', 'faq-build']);
    expect(engine!.decide(QUESTION, [])).toMatchObject({ kind: 'answer', entryId: 'delivery-time' });
  });

  it('refuses a compiled file with an unsafe link, and retries a failed fetch on the next call', async () => {
    const compiled = faqBuild.compileIndex(built);
    compiled.entries[0]!.link = 'javascript:alert(1)';
    serve(compiled);
    const { load } = loader();
    const next = createFaqLoader({ faqUrl: '/faq.json' }, 'en', load);
    await expect(next()).rejects.toMatchObject({ code: 'FAQ_INDEX_CORRUPT' });
    serve({}, 404);
    await expect(next()).rejects.toThrow('HTTP 404');
    serve(faqBuild.compileIndex(built));
    await expect(next()).resolves.not.toBeNull();
  });

  it('has no FAQ without entries or a URL', async () => {
    const { load, loaded } = loader();
    expect(await createFaqLoader({}, 'en', load)()).toBeNull();
    expect(loaded).toEqual([]);
  });
});
