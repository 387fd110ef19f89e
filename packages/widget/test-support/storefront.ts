// The storefront FAQ fixture from @parley/faq, as a FaqDecider, for widget tests.
import { readFileSync } from 'node:fs';
import { buildIndex, decide, parseFaqMarkdown } from '@parley/faq';
import type { FaqDecider } from '../src/store/types.js';

export function storefrontFaq(): FaqDecider {
  const md = readFileSync(new URL('../../faq/fixtures/storefront-faq.md', import.meta.url), 'utf8');
  const doc = parseFaqMarkdown(md);
  const index = buildIndex(doc.entries, { synonyms: doc.synonyms });
  return { decide: (q, h) => decide(index, q, h) };
}
