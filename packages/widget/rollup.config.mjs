// Three builds: the npm ESM package (deps external, .d.ts), and the script-tag bundles that inline everything:
// dist/loader.js (IIFE, no Preact), dist/app.js (fetched on first interaction), dist/faq.js (query-only FAQ
// engine, fetched when the app starts), dist/faq-build.js (the FAQ builder, only for a FAQ that is not compiled)
// and dist/transport.js (fetched at hand-off or resume). Plus dist/locales/*.json.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import nodeResolve from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { packageConfig } from '../../scripts/rollup-package.mjs';
import { TERSER_OPTIONS } from './terser.config.mjs';

// Chunk names are hashed: start clean so stale chunks never ship.
rmSync('dist', { recursive: true, force: true });
const npm = packageConfig(process.cwd());

/** Emits dist/locales/<lang>.json, minified, from src/i18n/locales. */
const locales = () => ({
  name: 'parley-locales',
  generateBundle() {
    for (const f of readdirSync('src/i18n/locales')) {
      const json = JSON.parse(readFileSync(`src/i18n/locales/${f}`, 'utf8'));
      this.emitFile({ type: 'asset', fileName: `locales/${f}`, source: JSON.stringify(json) });
    }
  },
});

// Workspace packages are compiled from source (the `source` condition), so the bundles never depend on their
// dist being built first.
const bundle = (input, file, extra = []) => ({
  input,
  // No "use strict" prologue: the sources are ES modules compiled as strict code anyway. Hidden source maps: the
  // .map files ship beside the bundles for debuggers and size.mjs, without a sourceMappingURL line in every download.
  output: { file, format: 'iife', sourcemap: 'hidden', strict: false },
  plugins: [
    nodeResolve({ browser: true, exportConditions: ['source', 'browser', 'import', 'default'], extensions: ['.ts', '.tsx', '.mjs', '.js'] }),
    replace({ preventAssignment: true, values: { 'process.env.NODE_ENV': JSON.stringify('production') } }),
    typescript({
      tsconfig: './tsconfig.bundle.json',
      // Paths are matched from the repo root so sibling packages' sources are compiled too.
      filterRoot: '../..',
      include: ['packages/{widget,protocol,transport,faq}/src/**/*.{ts,tsx}'],
      exclude: ['**/*.test.ts', '**/*.test.tsx'],
    }),
    terser(TERSER_OPTIONS),
    ...extra,
  ],
});

export default [
  { ...npm, plugins: [...npm.plugins, locales()] },
  bundle('src/loader.ts', 'dist/loader.js'),
  bundle('src/app-iife.ts', 'dist/app.js'),
  bundle('src/chunk-faq.ts', 'dist/faq.js'),
  bundle('src/chunk-faq-build.ts', 'dist/faq-build.js'),
  bundle('src/chunk-transport.ts', 'dist/transport.js'),
];
