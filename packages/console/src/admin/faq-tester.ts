// "Test a question" for the FAQ editor: runs the engine the widget runs (parse, build, decide) on the text being
// edited, unsaved, in the browser. The built index is kept for the last source, so typing questions is cheap.

import { buildIndex, decide, parseFaqMarkdown, ParleyError, type FaqIndex, type FaqProblem } from '@parley/faq';
import type { EscalationReason } from '@parley/protocol';

export interface FaqMatch {
  id: string;
  question: string;
  /** Calibrated confidence, 0–1. */
  confidence: number;
}

export type FaqTestResult =
  /** The source does not parse: what the server would refuse, with lines. */
  | { kind: 'invalid'; problems: FaqProblem[] }
  | { kind: 'answer'; entryId: string; question: string; confidence: number; matches: FaqMatch[] }
  | { kind: 'escalate'; reason: EscalationReason; confidence?: number; matches: FaqMatch[] };

/** How many ranked entries the tester lists under the decision. */
export const TOP_MATCHES = 5;

export function createFaqTester(): { test(source: string, question: string): FaqTestResult } {
  let last: { source: string; built: { index: FaqIndex } | { problems: FaqProblem[] } } | undefined;

  function build(source: string): { index: FaqIndex } | { problems: FaqProblem[] } {
    try {
      const doc = parseFaqMarkdown(source);
      if (doc.entries.length === 0) return { problems: [{ line: 1, message: 'the FAQ has no entries (start one with "## Question?")' }] };
      return { index: buildIndex(doc.entries, { synonyms: doc.synonyms }) };
    } catch (err) {
      if (err instanceof ParleyError) {
        const problems = err.details?.problems;
        return { problems: Array.isArray(problems) ? (problems as FaqProblem[]) : [{ line: 0, message: err.message }] };
      }
      throw err;
    }
  }

  return {
    test(source, question) {
      if (last?.source !== source) last = { source, built: build(source) };
      const { built } = last;
      if ('problems' in built) return { kind: 'invalid', problems: built.problems };
      const matches = built.index.search(question, { limit: TOP_MATCHES }).map((r) => ({ id: r.id, question: r.entry.question, confidence: r.score }));
      const decision = decide(built.index, question, []);
      if (decision.kind === 'answer') {
        return { kind: 'answer', entryId: decision.entryId, question: decision.entry.question, confidence: decision.confidence, matches };
      }
      return { kind: 'escalate', reason: decision.reason, ...(decision.confidence === undefined ? {} : { confidence: decision.confidence }), matches };
    },
  };
}
