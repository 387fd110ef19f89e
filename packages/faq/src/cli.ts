// The parley-faq command: validate a FAQ file and write its index, or try a question against it. Node only.
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { basename } from 'node:path';
import { ParleyError, type FaqProblem } from './errors.js';
import { parseFaqMarkdown, type FaqDocument } from './parse-markdown.js';
import { parseFaqJson } from './parse-json.js';
import { buildIndex } from './faq-index.js';
import { compileIndex } from './compile.js';
import { decide } from './escalate.js';
import { addLocaleWords } from './locale-words.js';
import { OTHER_LOCALE_WORDS } from './other-locale-words.js';

// The CLI builds FAQs in any shipped language.
addLocaleWords(OTHER_LOCALE_WORDS);

const USAGE = `Usage:
  parley-faq build <faq.md|faq.json> [-o faq.index.json] [--locale en] [--compiled]
      validate and write the index; --compiled writes the form @parley/faq/runtime (the widget) loads
  parley-faq test <faq.md|faq.json> "question" [--locale en]             show what the widget would do`;

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

function readFaq(file: string): FaqDocument {
  const text = readFileSync(file, 'utf8');
  const name = basename(file);
  return /\.json$/i.test(file) ? parseFaqJson(text, name) : parseFaqMarkdown(text, name);
}

function option(args: string[], ...names: string[]): string | undefined {
  const i = args.findIndex((a) => names.includes(a));
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
}

/** Run the CLI with `args` (without `node` and the script); returns the exit code. */
export function runCli(args: string[], io: Io = { out: (l) => console.log(l), err: (l) => console.error(l) }): number {
  const rest = [...args];
  const cmd = rest.shift();
  const outFile = option(rest, '-o', '--out');
  const locale = option(rest, '--locale');
  const compiledAt = rest.indexOf('--compiled');
  if (compiledAt >= 0) rest.splice(compiledAt, 1);
  const [file, question] = rest;
  if ((cmd !== 'build' && cmd !== 'test') || !file || (cmd === 'test' && question === undefined)) {
    io.err(USAGE);
    return 2;
  }
  try {
    const doc = readFaq(file);
    const index = buildIndex(doc.entries, { synonyms: doc.synonyms, ...(locale ? { locale } : {}) });
    if (cmd === 'build') {
      const target = outFile ?? file.replace(/\.(md|markdown|json)$/i, '') + '.index.json';
      const json = JSON.stringify(compiledAt >= 0 ? compileIndex(index) : index.toJSON());
      writeFileSync(target, json + '\n');
      io.out(`${basename(file)}: ${index.size} entries → ${target} (${json.length} B, ${gzipSync(json).length} B gzip)`);
      return 0;
    }
    const d = decide(index, question!, []);
    if (d.kind === 'answer') {
      io.out(`answer ${d.entryId} (confidence ${d.confidence.toFixed(2)}): ${d.entry.question}`);
    } else {
      io.out(`escalate: ${d.reason}${d.confidence === undefined ? '' : ` (best confidence ${d.confidence.toFixed(2)})`}`);
    }
    for (const s of d.suggestions ?? []) io.out(`  did you mean ${s.id} (${s.score.toFixed(2)}): ${s.entry.question}`);
    return 0;
  } catch (e) {
    if (e instanceof ParleyError) {
      const problems = (e.details?.problems as FaqProblem[] | undefined) ?? [];
      if (problems.length) for (const p of problems) io.err(`${file}:${p.line}: ${p.message}`);
      else io.err(`${file}: ${e.code}: ${e.message}`);
      return 1;
    }
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      io.err(`${file}: no such file`);
      return 1;
    }
    throw e;
  }
}

// Run only as the bin entry, not when imported by tests.
if (process.argv[1] && /parley-faq(\.m?js)?$|cli\.js$/.test(process.argv[1])) process.exitCode = runCli(process.argv.slice(2));
