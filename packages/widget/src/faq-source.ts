// Where the in-page FAQ comes from: inline entries or a JSON file, loaded once on first question. A compiled file
// (`parley-faq build --compiled`) needs only the query engine (faq.js); entries and `toJSON()` indexes are built
// in the page, with the builder (faq-build.js) fetched alongside. A FAQ in another language than English also
// fetches that language's words (faq-words-<lang>.js) before its first answer.
import type { FaqEntry } from '@parley/faq';
import type { WidgetConfig } from './embed-api.js';
import type { LoadModule } from './modules.js';
import type { FaqDecider } from './store/types.js';

/** Returns a memoised loader; a failed fetch is retried on the next question. */
export function createFaqLoader(config: Pick<WidgetConfig, 'faq' | 'faqUrl'>, locale: string, load: LoadModule): () => Promise<FaqDecider | null> {
  let pending: Promise<FaqDecider | null> | undefined;
  return () =>
    (pending ??= (async () => {
      const inline = config.faq?.length ? (config.faq as FaqEntry[]) : undefined;
      if (!inline && !config.faqUrl) return null;
      const engine = load('faq');
      let json: unknown = inline;
      if (!inline) {
        const res = await fetch(config.faqUrl!);
        if (!res.ok) throw new Error(`FAQ: HTTP ${res.status} for ${config.faqUrl}`);
        json = await res.json();
      }
      const { decide, loadCompiled, faqLocales, addLocaleWords } = await engine;
      // faq.js knows English words only: another language's come first, like a locale file.
      const addWords = (faq: unknown) => Promise.all(faqLocales(faq).map(async (l) => addLocaleWords(await load(`faq-words-${l}`))));
      let index: Parameters<typeof decide>[0];
      if ((json as { format?: unknown } | null)?.format === 'parley-faq-compiled') {
        await addWords(json);
        index = loadCompiled(json);
      } else {
        const { buildIndex, loadIndex } = await load('faq-build');
        index = Array.isArray(json) ? buildIndex(json as FaqEntry[], { locale }) : loadIndex(json);
        // Built with faq-build.js's own words; questions are read with faq.js's.
        await addWords({ locale: index.data.locale });
      }
      const decider: FaqDecider = { decide: (q, h) => decide(index, q, h) };
      return decider;
    })().catch((e: unknown) => {
      pending = undefined;
      throw e;
    }));
}
