// Parses FAQ JSON (an array of entries or { entries, synonyms }) with 1-based line numbers on every problem.
import { entryProblems, slugify, throwIfProblems, type CodedProblem, type FaqEntry } from './entry.js';
import type { FaqDocument } from './parse-markdown.js';

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

// Start offsets of the objects that are entries: depth 1 in a root array, depth 2 in a root object (its
// `entries` array; `synonyms` holds arrays of strings, never objects). Strings are skipped so braces inside
// answers do not count.
function entryOffsets(text: string): number[] {
  const out: number[] = [];
  let depth = 0;
  let rootIsArray = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '{' || c === '[') {
      if (depth === 0) rootIsArray = c === '[';
      if (c === '{' && depth === (rootIsArray ? 1 : 2)) out.push(i);
      depth++;
    } else if (c === '}' || c === ']') depth--;
  }
  return out;
}

// V8 reports "… at position 42" (Node 20) or "… (line 3 column 5)" (newer).
function syntaxErrorLine(text: string, message: string): number {
  const lc = /line (\d+)/.exec(message);
  if (lc) return Number(lc[1]);
  const pos = /position (\d+)/.exec(message);
  return pos ? lineAt(text, Number(pos[1])) : 1;
}

/**
 * Parse FAQ JSON: `[{ id, question, phrasings?, answer, tags?, link?, locale? }, …]` or
 * `{ "entries": [...], "synonyms": [["refund", "return"], …] }`. A missing `id` is derived from the question.
 * Throws `FAQ_PARSE`, `FAQ_INVALID_ENTRY` or `FAQ_DUPLICATE_ID` with `details.problems` as `{ line, message }`.
 */
export function parseFaqJson(text: string, source = 'faq.json'): FaqDocument {
  const src = String(text).replace(/^\uFEFF/, '');
  let value: unknown;
  try {
    value = JSON.parse(src);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throwIfProblems([{ line: syntaxErrorLine(src, message), message: `invalid JSON: ${message}`, code: 'FAQ_PARSE' }], source);
  }
  const problems: CodedProblem[] = [];
  const root = value as { entries?: unknown; synonyms?: unknown } | unknown[] | null;
  const list = Array.isArray(root) ? root : root && typeof root === 'object' ? root.entries : undefined;
  if (!Array.isArray(list)) throwIfProblems([{ line: 1, message: 'expected an array of entries or an object with an "entries" array', code: 'FAQ_PARSE' }], source);
  const entriesList = list as unknown[];
  const synonyms: string[][] = [];
  const syn = Array.isArray(root) ? undefined : root?.synonyms;
  if (syn !== undefined) {
    if (!Array.isArray(syn) || !syn.every((g) => Array.isArray(g) && g.length >= 2 && g.every((w) => typeof w === 'string' && w.trim()))) {
      problems.push({ line: lineAt(src, Math.max(0, src.indexOf('"synonyms"'))), message: '"synonyms" must be a list of groups of at least two words, e.g. [["refund", "return"]]', code: 'FAQ_PARSE' });
    } else synonyms.push(...(syn as string[][]));
  }
  const offsets = entryOffsets(src);
  const seen = new Map<string, number>();
  const entries = entriesList.map((raw, i) => {
    const line = offsets[i] === undefined ? 1 : lineAt(src, offsets[i]!);
    const e = raw as FaqEntry;
    if (e && typeof e === 'object' && e.id === undefined && typeof e.question === 'string') e.id = slugify(e.question);
    for (const p of entryProblems(e)) problems.push({ ...p, line, ...(typeof e?.id === 'string' ? { entryId: e.id } : {}) });
    if (typeof e?.id === 'string') {
      const first = seen.get(e.id);
      if (first !== undefined) problems.push({ line, message: `duplicate id "${e.id}" (first used on line ${first})`, code: 'FAQ_DUPLICATE_ID', entryId: e.id });
      else seen.set(e.id, line);
    }
    return e;
  });
  throwIfProblems(problems, source);
  return { entries, synonyms };
}
