// Unit tests for the parley-faq command (build and test), using real files in a temp directory.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { loadIndex } from './faq-index.js';
import { loadCompiled } from './runtime.js';

function run(args: string[]): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const code = runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'parley-faq-cli-'));
const good = join(dir, 'faq.md');
writeFileSync(good, '## How long does delivery take?\nalso:\n- When will my order arrive?\nThree to five days.\n\n## How do I return an item?\nFrom your account.\n');

describe('runCli', () => {
  it('build writes a loadable, versioned index next to the file', () => {
    const r = run(['build', good]);
    expect(r).toMatchObject({ code: 0, err: [] });
    expect(r.out[0]).toMatch(/^faq\.md: 2 entries → .*faq\.index\.json \(\d+ B, \d+ B gzip\)$/);
    const index = loadIndex(readFileSync(join(dir, 'faq.index.json'), 'utf8'));
    expect(index.size).toBe(2);
  });

  it('build -o chooses the output file', () => {
    const target = join(dir, 'custom.json');
    expect(run(['build', good, '-o', target]).code).toBe(0);
    expect(JSON.parse(readFileSync(target, 'utf8')).format).toBe('parley-faq-index');
  });

  it('build --compiled writes what @parley/faq/runtime loads, answering like the index', () => {
    const target = join(dir, 'compiled.json');
    expect(run(['build', good, '--compiled', '-o', target]).code).toBe(0);
    const compiled = loadCompiled(readFileSync(target, 'utf8'));
    expect(compiled.entries.map((e) => e.id)).toEqual(loadIndex(readFileSync(join(dir, 'faq.index.json'), 'utf8')).entries.map((e) => e.id));
    expect(compiled.search('when will my order arrive')[0]?.entry.question).toBe('How long does delivery take?');
  });

  it('build prints file:line errors and exits 1 for a malformed FAQ', () => {
    const bad = join(dir, 'bad.md');
    writeFileSync(bad, '## First?\nFine.\n\n## Second?\nlink: ftp://x\n');
    const r = run(['build', bad]);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`${bad}:4: missing answer`, `${bad}:5: link "ftp://x" must be an absolute http, https or mailto URL`]);
  });

  it('validates JSON files too', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '[\n  {"id": "a", "question": "Q?"}\n]\n');
    expect(run(['build', bad]).err).toEqual([`${bad}:2: missing answer`]);
  });

  it('test prints the decision', () => {
    expect(run(['test', good, 'when does my order arrive']).out[0]).toMatch(/^answer how-long-does-delivery-take \(confidence [01]\.\d\d\): How long does delivery take\?$/);
    expect(run(['test', good, 'can I talk to a human']).out).toEqual(['escalate: asked_for_human']);
  });

  it('prints usage (exit 2) for bad arguments and reports a missing file', () => {
    expect(run([]).code).toBe(2);
    expect(run(['test', good]).code).toBe(2);
    expect(run(['build', join(dir, 'nope.md')])).toMatchObject({ code: 1, err: [`${join(dir, 'nope.md')}: no such file`] });
  });
});
