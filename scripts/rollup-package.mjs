// Shared rollup config for a workspace package: ESM + .d.ts, externals taken from package.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import typescript from '@rollup/plugin-typescript';

/** @param {string} dir package directory; @param {{ input?: Record<string,string> }} [opts] */
export function packageConfig(dir, opts = {}) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const deps = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})];
  const isExternal = (id) => id.startsWith('node:') || deps.some((d) => id === d || id.startsWith(`${d}/`));
  return {
    input: opts.input ?? { index: 'src/index.ts' },
    external: isExternal,
    output: { dir: 'dist', format: 'es', sourcemap: true, entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
    plugins: [
      typescript({
        tsconfig: './tsconfig.json',
        // Build against sibling packages' emitted types, not their sources.
        compilerOptions: { customConditions: [], outDir: 'dist', declaration: true, declarationDir: 'dist', noEmit: false },
        exclude: ['**/*.test.ts', '**/*.test.tsx', '**/*.test-d.ts', '**/test-helpers.ts', '**/test-support/**'],
      }),
    ],
  };
}
