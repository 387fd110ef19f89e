// Unit tests for the Markdown FAQ format: what it reads and the line-numbered problems it reports.
import { describe, expect, it } from 'vitest';
import { parseFaqMarkdown } from './parse-markdown.js';
import { caught } from './test-helpers.js';
import type { FaqProblem } from './errors.js';

const GOOD = `# Help

synonyms: parcel, package

## How long does delivery take?
id: delivery-time
also:
- When will my order arrive?
- How many days does shipping take?

Standard delivery takes **3–5** working days.

Express takes 1–2.
tags: shipping, delivery
link: https://shop.example/delivery
locale: en-GB

## Can I return an item?
Yes, within 30 days.
`;

const problems = (text: string) => caught(() => parseFaqMarkdown(text, 'faq.md')).details?.problems as FaqProblem[] | undefined;

describe('parseFaqMarkdown', () => {
  it('reads entries, phrasings, metadata, multi-paragraph answers and synonyms', () => {
    const doc = parseFaqMarkdown(GOOD);
    expect(doc.synonyms).toEqual([['parcel', 'package']]);
    expect(doc.entries).toEqual([
      {
        id: 'delivery-time',
        question: 'How long does delivery take?',
        phrasings: ['When will my order arrive?', 'How many days does shipping take?'],
        answer: 'Standard delivery takes **3–5** working days.\n\nExpress takes 1–2.',
        tags: ['shipping', 'delivery'],
        link: 'https://shop.example/delivery',
        locale: 'en-GB',
      },
      { id: 'can-i-return-an-item', question: 'Can I return an item?', answer: 'Yes, within 30 days.' },
    ]);
  });

  it('keeps fenced code and "key:" lines inside fences as answer text', () => {
    const doc = parseFaqMarkdown('## Q?\n```\nlink: not-metadata\n## not a heading\n```\n');
    expect(doc.entries).toHaveLength(1);
    expect(doc.entries[0]!.answer).toContain('link: not-metadata');
  });

  it('handles CRLF and a BOM', () => {
    expect(parseFaqMarkdown('\uFEFF## Q?\r\nA.\r\n').entries[0]).toEqual({ id: 'q', question: 'Q?', answer: 'A.' });
  });

  it('reports a missing answer on the heading line (FAQ_INVALID_ENTRY)', () => {
    const e = caught(() => parseFaqMarkdown('## First?\nAnswer.\n\n## Second?\n', 'faq.md'));
    expect(e.code).toBe('FAQ_INVALID_ENTRY');
    expect(e.message).toBe('faq.md:4: missing answer');
    expect(e.details?.problems).toEqual([{ line: 4, message: 'missing answer', entryId: 'second' }]);
  });

  it('reports an empty question', () => {
    expect(problems('## \nAn answer without a question.\n')).toEqual([{ line: 1, message: 'empty question', entryId: 'entry' }]);
  });

  it('reports a bad link on the link line', () => {
    expect(problems('## Q?\nA.\nlink: javascript:alert(1)\n')).toEqual([
      { line: 3, message: 'link "javascript:alert(1)" must be an absolute http, https or mailto URL', entryId: 'q' },
    ]);
    expect(problems('## Q?\nA.\nlink: ftp://files.example/x\n')?.[0]).toMatchObject({ line: 3 });
    expect(parseFaqMarkdown('## Q?\nA.\nlink: mailto:help@shop.example\n').entries[0]!.link).toBe('mailto:help@shop.example');
  });

  it('reads quick replies split on "|" (a reply may hold a comma), bounded in count and length on their line', () => {
    const doc = parseFaqMarkdown('## Where is my order?\nTrack it in your account.\nreplies: Track my order | Yes, talk to a person |  \n');
    expect(doc.entries[0]!.replies).toEqual(['Track my order', 'Yes, talk to a person']);
    expect(problems('## Q?\nA.\nreplies: a | b | c | d | e | f\n')).toEqual([{ line: 3, message: 'more than 5 replies', entryId: 'q' }]);
    expect(problems(`## Q?\nA.\nreplies: ${'x'.repeat(41)}\n`)).toEqual([{ line: 3, message: 'reply is longer than 40 characters', entryId: 'q' }]);
    expect(problems('## Q?\nA.\nreplies: Yes | No | Yes\n')).toEqual([{ line: 3, message: 'a reply is given twice', entryId: 'q' }]);
    expect(problems('## Q?\nA.\nreplies: a\nreplies: b\n')?.[0]).toMatchObject({ line: 4, message: expect.stringMatching(/given twice/) });
  });

  it('reports overlong fields', () => {
    expect(problems(`## ${'x'.repeat(501)}\nA.\n`)?.[0]).toMatchObject({ line: 1, message: 'question is longer than 500 characters' });
    expect(problems(`## Q?\n${'a'.repeat(5001)}\n`)?.[0]).toMatchObject({ line: 1, message: 'answer is longer than 5000 characters' });
  });

  it('reports duplicate ids with both lines (FAQ_DUPLICATE_ID)', () => {
    const e = caught(() => parseFaqMarkdown('## A?\nid: same\nx\n\n## B?\nid: same\ny\n', 'faq.md'));
    expect(e.code).toBe('FAQ_DUPLICATE_ID');
    expect(e.details?.problems).toEqual([{ line: 6, message: 'duplicate id "same" (first used on line 2)', entryId: 'same' }]);
  });

  it('reports structure mistakes as FAQ_PARSE, and every problem at once', () => {
    const e = caught(() => parseFaqMarkdown('id: early\n\n## Q?\nalso:\nA.\nlink: https://a.example\nlink: https://b.example\nsynonyms: a, b\n\n## R?\n', 'faq.md'));
    expect(e.code).toBe('FAQ_PARSE');
    expect(e.details?.problems).toEqual([
      { line: 1, message: '"id: early" appears before the first "## Question" heading' },
      { line: 4, message: '"also:" must be followed by "- " phrasing lines' },
      { line: 7, message: '"link:" given twice for this entry (first on line 6)' },
      { line: 8, message: 'synonyms lines belong before the first "## Question" heading' },
      { line: 10, message: 'missing answer', entryId: 'r' },
    ]);
    expect(e.message).toBe('faq.md:1: "id: early" appears before the first "## Question" heading (and 4 more)');
  });

  it('rejects a file without entries and an unclosed fence', () => {
    expect(caught(() => parseFaqMarkdown('# Just a title\n')).details?.problems).toEqual([{ line: 1, message: 'no entries found: start each entry with a "## Question" line' }]);
    expect(problems('## Q?\n```\ncode\n')).toEqual([{ line: 4, message: 'code fence (```) is never closed' }]);
  });

  it('rejects a one-word synonyms line', () => {
    expect(problems('synonyms: lonely\n## Q?\nA.\n')).toEqual([{ line: 1, message: 'a synonyms line needs at least two comma-separated words or phrases' }]);
  });
});
