// Unit tests for the JSON FAQ format: shapes, and line numbers for syntax and entry problems.
import { describe, expect, it } from 'vitest';
import { parseFaqJson } from './parse-json.js';
import { caught } from './test-helpers.js';

describe('parseFaqJson', () => {
  it('reads an array of entries and derives missing ids', () => {
    const doc = parseFaqJson('[{"question":"Where is my order?","answer":"In transit."}]');
    expect(doc).toEqual({ entries: [{ id: 'where-is-my-order', question: 'Where is my order?', answer: 'In transit.' }], synonyms: [] });
  });

  it('reads { entries, synonyms }', () => {
    const doc = parseFaqJson(JSON.stringify({ entries: [{ id: 'a', question: 'Q?', answer: 'A.' }], synonyms: [['refund', 'money back']] }));
    expect(doc.synonyms).toEqual([['refund', 'money back']]);
    expect(doc.entries.map((e) => e.id)).toEqual(['a']);
  });

  it('turns a JSON syntax error into FAQ_PARSE with the line of the error', () => {
    const e = caught(() => parseFaqJson('[\n  {"id": "a",\n   "question": "Q?"\n   "answer": "A."}\n]', 'faq.json'));
    expect(e.code).toBe('FAQ_PARSE');
    expect(e.details?.problems).toEqual([{ line: 4, message: expect.stringMatching(/^invalid JSON: /) }]);
  });

  it('rejects a root that is neither an array nor { entries }', () => {
    const e = caught(() => parseFaqJson('{"faq": []}'));
    expect(e.code).toBe('FAQ_PARSE');
  });

  it('points entry problems at the line where the entry starts', () => {
    const text = `{
  "entries": [
    { "id": "ok", "question": "Fine?", "answer": "Yes." },
    { "id": "no-answer",
      "question": "Where {is} my \\"answer\\"?" },
    { "id": "bad-link", "question": "Q?", "answer": "A.", "link": "javascript:x" }
  ]
}`;
    const e = caught(() => parseFaqJson(text, 'faq.json'));
    expect(e.code).toBe('FAQ_INVALID_ENTRY');
    expect(e.details?.problems).toEqual([
      { line: 4, message: 'missing answer', entryId: 'no-answer' },
      { line: 6, message: 'link "javascript:x" must be an absolute http, https or mailto URL', entryId: 'bad-link' },
    ]);
  });

  it('reports duplicate ids (FAQ_DUPLICATE_ID) and bad synonyms (FAQ_PARSE)', () => {
    const dup = caught(() => parseFaqJson('[\n{"id":"a","question":"Q?","answer":"A."},\n{"id":"a","question":"R?","answer":"B."}\n]'));
    expect(dup.code).toBe('FAQ_DUPLICATE_ID');
    expect(dup.details?.problems).toEqual([{ line: 3, message: 'duplicate id "a" (first used on line 2)', entryId: 'a' }]);
    const syn = caught(() => parseFaqJson('{"entries": [{"id":"a","question":"Q?","answer":"A."}],\n "synonyms": [["alone"]]}'));
    expect(syn.code).toBe('FAQ_PARSE');
    expect(syn.details?.problems).toEqual([{ line: 2, message: expect.stringContaining('"synonyms" must be') }]);
  });

  it('rejects wrong types and overlong fields', () => {
    const e = caught(() => parseFaqJson(JSON.stringify([{ id: 'has space', question: 5, answer: 'A', tags: 'x', phrasings: [''] }])));
    expect(e.details?.problems).toEqual([
      { line: 1, message: 'id "has space" must not contain spaces or control characters', entryId: 'has space' },
      { line: 1, message: 'question must be text', entryId: 'has space' },
      { line: 1, message: 'empty phrasing', entryId: 'has space' },
      { line: 1, message: 'tags must be a list', entryId: 'has space' },
    ]);
  });
});
