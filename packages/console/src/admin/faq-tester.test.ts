// The "test a question" engine on the storefront FAQ and on broken Markdown.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createFaqTester, TOP_MATCHES } from './faq-tester.js';

const STOREFRONT = readFileSync(new URL('../../../faq/fixtures/storefront-faq.md', import.meta.url), 'utf8');

describe('createFaqTester', () => {
  it('answers a covered question with the entry and its confidence, and lists the top matches best first', () => {
    const result = createFaqTester().test(STOREFRONT, 'where is my parcel?');
    expect(result).toMatchObject({ kind: 'answer', entryId: 'track-order' });
    if (result.kind !== 'answer') throw new Error('unreachable');
    expect(result.confidence).toBeGreaterThanOrEqual(0.5);
    expect(result.matches).toHaveLength(TOP_MATCHES);
    expect(result.matches[0]).toMatchObject({ id: 'track-order', confidence: result.confidence });
    const scores = result.matches.map((m) => m.confidence);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('hands off what the FAQ does not cover, with the reason, and runs on the edited text', () => {
    const tester = createFaqTester();
    const question = 'Can your team engrave my initials on the Daypack straps before it ships?';
    const before = tester.test(STOREFRONT, question);
    expect(before.kind).toBe('escalate');
    if (before.kind !== 'escalate') throw new Error('unreachable');
    expect(['out_of_scope', 'low_confidence']).toContain(before.reason);

    const edited = `${STOREFRONT}\n## Do you engrave initials on bags?\nid: engraving\nalso:\n- Can you engrave my initials on the straps?\nYes: add engraving at checkout.\n`;
    expect(tester.test(edited, question)).toMatchObject({ kind: 'answer', entryId: 'engraving' });
    expect(tester.test(STOREFRONT, 'talk to a human please')).toMatchObject({ kind: 'escalate', reason: 'asked_for_human' });
  });

  it('reports every problem of invalid Markdown with its line instead of deciding', () => {
    const source = '# Help\n\n## Where is my order?\nlink: ftp://x.example\nSoon.\n\n## Empty?\n';
    const result = createFaqTester().test(source, 'where is my order');
    expect(result.kind).toBe('invalid');
    if (result.kind !== 'invalid') throw new Error('unreachable');
    const lines = source.split('\n');
    expect(result.problems.length).toBeGreaterThanOrEqual(2);
    expect(result.problems.some((p) => lines[p.line - 1]!.startsWith('link:'))).toBe(true);
    expect(result.problems.some((p) => lines[p.line - 1] === '## Empty?')).toBe(true);
    expect(createFaqTester().test('# just a title\n', 'hi')).toEqual({ kind: 'invalid', problems: [{ line: 1, message: expect.stringMatching(/no entries/) }] });
  });
});
