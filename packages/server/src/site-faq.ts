// A site's FAQ: validates the Markdown an admin saves (every problem with its line) and compiles it into the file
// the widget loads, cached per saved version so serving it costs no rebuild.

import { buildIndex, compileIndex, parseFaqMarkdown, ParleyError as FaqError, type FaqProblem } from '@parley/faq';
import { ParleyError } from '@parley/protocol';
import type { SiteFaq } from './storage/faq-store.js';

/** Largest FAQ source accepted, in bytes (the storefront FAQ of 42 entries is about 12 kB). */
export const MAX_FAQ_BYTES = 256 * 1024;

/** The typed error for an invalid FAQ: PROTOCOL_BAD_FRAME, with `details.problems` as `{ line, message }[]`. */
export function faqInvalid(problems: FaqProblem[]): ParleyError {
  const first = problems[0];
  const summary = first === undefined ? 'the FAQ is invalid' : `line ${first.line}: ${first.message}`;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return new ParleyError('PROTOCOL_BAD_FRAME', `the FAQ has errors: ${summary}${more}`, { details: { problems } });
}

/** The compiled FAQ (`@parley/faq/runtime` format) as JSON text; throws `faqInvalid` for bad Markdown. */
export function compileFaqSource(source: string): { json: string; entries: number } {
  try {
    const doc = parseFaqMarkdown(source);
    if (doc.entries.length === 0) throw faqInvalid([{ line: 1, message: 'the FAQ has no entries (start one with "## Question?")' }]);
    return { json: JSON.stringify(compileIndex(buildIndex(doc.entries, { synonyms: doc.synonyms }))), entries: doc.entries.length };
  } catch (err) {
    if (err instanceof FaqError) {
      const problems = Array.isArray(err.details?.problems) ? (err.details.problems as FaqProblem[]) : [{ line: 0, message: err.message }];
      throw faqInvalid(problems);
    }
    throw err;
  }
}

/** Compiled FAQ JSON per site, rebuilt only when the saved version changes. */
export function createCompiledFaqCache(maxSites = 1000): { get(faq: SiteFaq): string } {
  const cache = new Map<string, { updatedAt: number; source: string; json: string }>();
  return {
    get(faq) {
      const hit = cache.get(faq.siteId);
      if (hit !== undefined && hit.updatedAt === faq.updatedAt && hit.source === faq.source) return hit.json;
      const { json } = compileFaqSource(faq.source);
      if (cache.size >= maxSites) cache.delete(cache.keys().next().value!);
      cache.set(faq.siteId, { updatedAt: faq.updatedAt, source: faq.source, json });
      return json;
    },
  };
}
