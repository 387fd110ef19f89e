// Parses the owner-written Markdown FAQ format into entries, with 1-based line numbers on every problem.
import { entryProblems, slugify, throwIfProblems, type CodedProblem, type EntryField, type FaqEntry } from './entry.js';

/** Entries plus the owner's synonym groups, as read from a FAQ file. */
export interface FaqDocument {
  entries: FaqEntry[];
  synonyms: string[][];
}

const META = /^(id|tags|link|locale|synonyms|replies):\s*(.*)$/i;
const ALSO = /^(also|phrasings):\s*$/i;

interface Draft {
  entry: FaqEntry;
  answer: string[];
  lines: Partial<Record<EntryField, number>>;
}

/**
 * Parse the Markdown FAQ format (see the package README):
 *
 * ```md
 * synonyms: refund, return, money back
 *
 * ## How long does delivery take?
 * id: delivery-time
 * also:
 * - When will my order arrive?
 * Standard delivery takes 3–5 working days.
 * tags: shipping
 * link: https://shop.example/delivery
 * ```
 *
 * Throws `FAQ_PARSE` (structure), `FAQ_INVALID_ENTRY` (content) or `FAQ_DUPLICATE_ID`, with every problem
 * in `details.problems` as `{ line, message }`.
 */
export function parseFaqMarkdown(text: string, source = 'faq.md'): FaqDocument {
  const problems: CodedProblem[] = [];
  const drafts: Draft[] = [];
  const synonyms: string[][] = [];
  const lines = String(text).replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  let cur: Draft | undefined;
  let inAlso = false;
  let inFence = false;
  const parseError = (line: number, message: string): void => void problems.push({ line, message, code: 'FAQ_PARSE' });

  lines.forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (/^(```|~~~)/.test(trimmed)) inFence = !inFence;
    if (!inFence && /^##\s/.test(raw)) {
      cur = { entry: { id: '', question: raw.replace(/^##\s+/, '').trim(), answer: '' }, answer: [], lines: { entry: line, question: line, answer: line } };
      drafts.push(cur);
      inAlso = false;
      return;
    }
    if (!cur) {
      // Preamble: a title, prose and `synonyms:` lines. Anything entry-like here is a mistake.
      const m = META.exec(trimmed);
      if (m && m[1]!.toLowerCase() === 'synonyms') {
        const group = m[2]!.split(',').map((s) => s.trim()).filter(Boolean);
        if (group.length < 2) parseError(line, 'a synonyms line needs at least two comma-separated words or phrases');
        else synonyms.push(group);
      } else if (m || ALSO.test(trimmed)) parseError(line, `"${trimmed}" appears before the first "## Question" heading`);
      return;
    }
    const e = cur.entry;
    if (inFence) { cur.answer.push(raw); return; }
    if (inAlso) {
      const item = /^[-*+]\s*(.*)$/.exec(trimmed);
      if (item) {
        if (!item[1]) problems.push({ line, message: 'empty phrasing', code: 'FAQ_INVALID_ENTRY' });
        else (e.phrasings ??= []).push(item[1]);
        return;
      }
      if (!e.phrasings?.length) parseError(cur.lines.phrasings ?? line, '"also:" must be followed by "- " phrasing lines');
      inAlso = false;
    }
    if (ALSO.test(trimmed)) {
      if (cur.lines.phrasings) parseError(line, 'only one "also:" list per entry');
      cur.lines.phrasings = line;
      inAlso = true;
      return;
    }
    const m = META.exec(trimmed);
    if (m) {
      const key = m[1]!.toLowerCase() as 'id' | 'tags' | 'link' | 'locale' | 'synonyms' | 'replies';
      const value = m[2]!.trim();
      if (key === 'synonyms') return parseError(line, 'synonyms lines belong before the first "## Question" heading');
      if (cur.lines[key]) return parseError(line, `"${key}:" given twice for this entry (first on line ${cur.lines[key]})`);
      cur.lines[key] = line;
      if (key === 'tags') e.tags = value.split(',').map((t) => t.trim()).filter(Boolean);
      // `|` rather than `,`: a reply is a short phrase and may hold a comma ("Yes, please").
      else if (key === 'replies') e.replies = value.split('|').map((r) => r.trim()).filter(Boolean);
      else e[key] = value;
      return;
    }
    cur.answer.push(raw);
  });
  if (inFence) parseError(lines.length, 'code fence (```) is never closed');
  if (inAlso && cur && !cur.entry.phrasings?.length) parseError(cur.lines.phrasings ?? lines.length, '"also:" must be followed by "- " phrasing lines');
  if (!drafts.length && !problems.length) parseError(1, 'no entries found: start each entry with a "## Question" line');

  const seen = new Map<string, number>();
  for (const d of drafts) {
    d.entry.answer = d.answer.join('\n').replace(/\n{3,}/g, '\n\n').trim();
    if (!d.lines.id) d.entry.id = slugify(d.entry.question);
    const at = d.lines.id ?? d.lines.entry!;
    // No answer lines at all reads as a missing answer, not an empty one.
    for (const p of entryProblems(d.entry.answer ? d.entry : { ...d.entry, answer: undefined })) problems.push({ ...p, line: d.lines[p.field ?? 'entry'] ?? d.lines.entry!, entryId: d.entry.id });
    const first = seen.get(d.entry.id);
    if (first !== undefined) {
      problems.push({ line: at, message: `duplicate id "${d.entry.id}" (first used on line ${first})${d.lines.id ? '' : '; add an "id:" line to tell them apart'}`, code: 'FAQ_DUPLICATE_ID', entryId: d.entry.id });
    } else seen.set(d.entry.id, at);
  }
  throwIfProblems(problems, source);
  return { entries: drafts.map((d) => d.entry), synonyms };
}
