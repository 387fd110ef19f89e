// The storefront fixture corpus: every shopper question must get its expected answer or escalation reason
// under the default policy. Run whenever thresholds, calibration or tokenisation change.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildIndex } from './faq-index.js';
import { decide } from './escalate.js';
import { parseFaqMarkdown } from './parse-markdown.js';

const read = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
const doc = parseFaqMarkdown(read('storefront-faq.md'), 'storefront-faq.md');
const index = buildIndex(doc.entries, { synonyms: doc.synonyms });
const questions = JSON.parse(read('storefront-questions.json')) as { q: string; expect: string; suggest?: string }[];
const REASONS = ['low_confidence', 'out_of_scope', 'asked_for_human', 'repeated_miss', 'negative_feedback'];

describe('storefront fixture', () => {
  it('parses into about 40 entries with unique ids, and every expected id exists', () => {
    expect(doc.entries.length).toBeGreaterThanOrEqual(38);
    expect(doc.synonyms.length).toBeGreaterThan(0);
    const ids = new Set(doc.entries.map((e) => e.id));
    for (const q of questions) {
      if (!REASONS.includes(q.expect)) expect(ids.has(q.expect), q.expect).toBe(true);
      if (q.suggest) expect(ids.has(q.suggest), q.suggest).toBe(true);
    }
  });

  it('covers paraphrases, typos, out-of-scope and several languages of "get me a person"', () => {
    expect(questions.length).toBeGreaterThanOrEqual(40);
    expect(questions.filter((q) => q.expect === 'out_of_scope').length).toBeGreaterThanOrEqual(3);
    expect(questions.filter((q) => q.expect === 'asked_for_human').length).toBeGreaterThanOrEqual(6);
  });

  it.each(questions)('$q → $expect', ({ q, expect: want, suggest }) => {
    const d = decide(index, q, []);
    const got = d.kind === 'answer' ? d.entryId : d.reason;
    expect(got).toBe(want);
    if (suggest) expect(d.suggestions?.[0]?.id).toBe(suggest);
  });
});
