// Where the in-page FAQ comes from: inline entries or a JSON file (index or entries), loaded once on first question.
import type { FaqEntry, FaqIndex } from '@parley/faq';
import type { WidgetConfig } from './embed-api.js';
import type { FaqModule } from './modules.js';
import type { FaqDecider } from './store/types.js';

/** Returns a memoised loader; a failed fetch is retried on the next question. */
export function createFaqLoader(
  config: Pick<WidgetConfig, 'faq' | 'faqUrl'>,
  locale: string,
  engine: () => Promise<FaqModule>,
): () => Promise<FaqDecider | null> {
  let pending: Promise<FaqDecider | null> | undefined;
  return () =>
    (pending ??= (async () => {
      if (!config.faq?.length && !config.faqUrl) return null;
      const { buildIndex, decide, loadIndex } = await engine();
      const wrap = (index: FaqIndex): FaqDecider => ({ decide: (q, h) => decide(index, q, h) });
      if (config.faq?.length) return wrap(buildIndex(config.faq as FaqEntry[], { locale }));
      if (!config.faqUrl) return null;
      const res = await fetch(config.faqUrl);
      if (!res.ok) throw new Error(`FAQ: HTTP ${res.status} for ${config.faqUrl}`);
      const json: unknown = await res.json();
      return wrap(Array.isArray(json) ? buildIndex(json as FaqEntry[], { locale }) : loadIndex(json));
    })().catch((e: unknown) => {
      pending = undefined;
      throw e;
    }));
}
