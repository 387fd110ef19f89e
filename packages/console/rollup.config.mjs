// The console is an app, not a library: one IIFE bundle (dist/app.js) with Preact, zustand, transport and the FAQ
// engine compiled from source, plus dist/index.html and dist/app.css copied as they are (no inline script or
// style, so a strict CSP works).
import { readFileSync } from 'node:fs';
import nodeResolve from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

const staticFiles = () => ({
  name: 'parley-console-static',
  buildStart() {
    this.addWatchFile('src/index.html');
    this.addWatchFile('src/styles/app.css');
  },
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: 'index.html', source: readFileSync('src/index.html', 'utf8') });
    this.emitFile({ type: 'asset', fileName: 'app.css', source: readFileSync('src/styles/app.css', 'utf8') });
  },
});

export default {
  input: 'src/main.ts',
  output: { file: 'dist/app.js', format: 'iife', sourcemap: true },
  plugins: [
    nodeResolve({ browser: true, exportConditions: ['source', 'browser', 'import', 'default'], extensions: ['.ts', '.tsx', '.mjs', '.js'] }),
    replace({ preventAssignment: true, values: { 'process.env.NODE_ENV': JSON.stringify('production') } }),
    typescript({
      tsconfig: './tsconfig.bundle.json',
      // Paths are matched from the repo root so sibling packages' sources are compiled too.
      filterRoot: '../..',
      include: ['packages/{console,protocol,transport,faq}/src/**/*.{ts,tsx}'],
      exclude: ['**/*.test.ts', '**/*.test.tsx'],
    }),
    terser({ ecma: 2020, format: { comments: false } }),
    staticFiles(),
  ],
};
