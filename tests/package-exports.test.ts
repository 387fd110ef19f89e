// Each package entry's built file sits beside its own declarations: tools that read the `.d.ts` next to a `.js`
// (rather than the `types` condition) must get that file's types, not another module's.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface Entry {
  types?: string;
  source?: string;
  import?: string;
}
const packages = readdirSync(new URL('../packages/', import.meta.url));
const entries = packages.flatMap((dir) => {
  const pkg = JSON.parse(readFileSync(new URL(`../packages/${dir}/package.json`, import.meta.url), 'utf8')) as { name: string; exports?: Record<string, Entry | string> };
  return Object.entries(pkg.exports ?? {})
    .filter((e): e is [string, Entry] => typeof e[1] === 'object' && e[1].import?.startsWith('./dist/') === true)
    .map(([path, entry]) => [`${pkg.name} ${path}`, entry] as const);
});

describe('package exports', () => {
  it('finds the built entries', () => {
    expect(entries.map(([name]) => name)).toContain('@parley/faq ./locale-words');
  });

  it.each(entries)('%s: the .js is built from the source of the same name, and its neighbouring .d.ts is its types', (_, entry) => {
    const name = entry.import!.replace(/^\.\/dist\/(.*)\.js$/, '$1');
    expect(entry.types).toBe(`./dist/${name}.d.ts`);
    expect(entry.source).toBe(`./src/${name}.ts`);
  });
});
