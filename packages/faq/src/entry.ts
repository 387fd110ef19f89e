// The FAQ entry type, its limits and validation. Reports problems; the parsers decide how to throw them.
import { ParleyError, type FaqErrorCode, type FaqProblem } from './errors.js';
import { normalizeText } from './tokenize.js';

/** One FAQ entry as a site owner writes it. */
export interface FaqEntry {
  /** Stable id without whitespace; derived from the question when a file omits it. */
  id: string;
  question: string;
  /** Other ways shoppers ask the same thing. Several phrasings improve matching a lot. */
  phrasings?: string[];
  answer: string;
  tags?: string[];
  /** http, https or mailto only. */
  link?: string;
  /** BCP 47 tag, e.g. `en`, `pt-BR`. Defaults to the index locale. */
  locale?: string;
  /**
   * Quick replies offered under the answer (at most 5, each at most 40 characters, like an agent's): the widget shows
   * them as buttons, and choosing one asks it as the shopper's next question.
   */
  replies?: string[];
}

/** Field limits: characters for text fields, items for lists (and characters per item). */
export const FAQ_LIMITS = {
  id: 80,
  question: 500,
  answer: 5000,
  phrasings: 50,
  tags: 20,
  tag: 40,
  link: 2000,
  locale: 35,
  replies: 5,
  reply: 40,
  entries: 5000,
} as const;

/** The entry fields a problem can be about, so parsers can point at the right line. */
export type EntryField = 'entry' | 'id' | 'question' | 'phrasings' | 'answer' | 'tags' | 'link' | 'locale' | 'replies';

/** A problem plus the code it maps to and the field it is about; `line` is 0 until a parser fills it in. */
export interface CodedProblem extends FaqProblem {
  code: FaqErrorCode;
  field?: EntryField;
}

/** Derive an id from a question: normalised words joined with `-`, at most 60 characters. */
export function slugify(question: string): string {
  return normalizeText(question).split(' ').filter(Boolean).join('-').slice(0, 60).replace(/-+$/, '') || 'entry';
}

// Ids travel in URLs, analytics and hand-offs: no whitespace or control characters. Links are rendered by
// the widget: only http(s) and mailto. Locales are BCP 47 tags.
/** A link the widget may render: absolute http(s) or mailto. The runtime loader checks compiled files with it too. */
export const LINK_FORMAT = /^(https?:\/\/[^\s/]+\S*|mailto:\S+@\S+)$/i;
const FORMAT: Partial<Record<EntryField, [RegExp, string]>> = {
  id: [/^[^\s\p{C}]+$/u, 'must not contain spaces or control characters'],
  link: [LINK_FORMAT, 'must be an absolute http, https or mailto URL'],
  locale: [/^[a-z]{2,3}([-_][a-z0-9]{2,8})*$/i, 'must be a BCP 47 tag such as "en" or "pt-BR"'],
};

/** Check one entry-shaped value; returns problems (empty when valid). `line` of each is 0. */
export function entryProblems(e: unknown): CodedProblem[] {
  const p: CodedProblem[] = [];
  const bad = (field: EntryField, message: string): void => void p.push({ line: 0, message, code: 'FAQ_INVALID_ENTRY', field });
  if (typeof e !== 'object' || e === null || Array.isArray(e)) {
    bad('entry', 'entry must be an object');
    return p;
  }
  const r = e as Record<string, unknown>;
  const text = (field: EntryField, v: unknown, max: number, required: boolean, label: string = field): void => {
    if (v === undefined && !required) return;
    if (typeof v !== 'string') bad(field, v === undefined ? `missing ${label}` : `${label} must be text`);
    else if (!v.trim()) bad(field, `empty ${label}`);
    else if (v.length > max) bad(field, `${label} is longer than ${max} characters`);
    else if (FORMAT[field] && !FORMAT[field][0].test(v)) bad(field, `${label} "${v}" ${FORMAT[field][1]}`);
  };
  const list = (field: 'phrasings' | 'tags' | 'replies', max: number, maxChars: number): void => {
    const v = r[field];
    if (v === undefined) return;
    if (!Array.isArray(v)) return bad(field, `${field} must be a list`);
    if (v.length > max) bad(field, `more than ${max} ${field}`);
    for (const item of v) text(field, item, maxChars, true, field === 'replies' ? 'reply' : field.slice(0, -1));
  };
  const L = FAQ_LIMITS;
  text('id', r.id, L.id, true);
  text('question', r.question, L.question, true);
  text('answer', r.answer, L.answer, true);
  list('phrasings', L.phrasings, L.question);
  list('tags', L.tags, L.tag);
  list('replies', L.replies, L.reply);
  // The widget keys its reply buttons by their text: two alike would collide (and offer the same thing twice).
  if (Array.isArray(r.replies) && new Set(r.replies).size < r.replies.length) bad('replies', 'a reply is given twice');
  text('link', r.link, L.link, false);
  text('locale', r.locale, L.locale, false);
  return p;
}

/** Errors carry the highest-priority code among their problems: syntax, then content, then duplicates. */
const PRIORITY: FaqErrorCode[] = ['FAQ_PARSE', 'FAQ_INVALID_ENTRY', 'FAQ_DUPLICATE_ID'];

/** Throw one ParleyError listing every problem, or return when there are none. */
export function throwIfProblems(problems: CodedProblem[], source: string): void {
  if (!problems.length) return;
  problems.sort((a, b) => a.line - b.line);
  const code = PRIORITY.find((c) => problems.some((p) => p.code === c))!;
  const first = problems[0]!;
  throw new ParleyError(code, `${source}${first.line ? `:${first.line}` : ''}: ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, {
    details: { problems: problems.map(({ line, message, entryId }) => (entryId ? { line, message, entryId } : { line, message })) },
  });
}

/**
 * Validate entries given in code (not from a file). Throws `FAQ_INVALID_ENTRY` or `FAQ_DUPLICATE_ID`,
 * with `details.problems` naming each entry by its position.
 */
export function validateEntries(entries: readonly unknown[]): asserts entries is FaqEntry[] {
  const problems: CodedProblem[] = [];
  const seen = new Set<unknown>();
  const add = (message: string, code: FaqErrorCode = 'FAQ_INVALID_ENTRY'): void => void problems.push({ line: 0, message, code });
  if (!Array.isArray(entries)) add('entries must be an array');
  else {
    if (entries.length > FAQ_LIMITS.entries) add(`more than ${FAQ_LIMITS.entries} entries`);
    entries.forEach((e, i) => {
      for (const p of entryProblems(e)) add(`entry ${i}: ${p.message}`);
      const id = (e as { id?: unknown } | null)?.id;
      if (seen.has(id)) add(`entry ${i}: duplicate id "${String(id)}"`, 'FAQ_DUPLICATE_ID');
      seen.add(id);
    });
  }
  throwIfProblems(problems, 'entries');
}
