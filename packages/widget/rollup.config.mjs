// Three builds: the npm ESM package (deps external, .d.ts), and the script-tag bundles that inline everything:
// dist/loader.js (IIFE, no Preact), dist/app.js (fetched on first interaction), dist/faq.js (query-only FAQ
// engine, fetched when the app starts), dist/faq-build.js (the FAQ builder, only for a FAQ that is not compiled),
// dist/transport.js (fetched at hand-off or resume), dist/forms.js (pre-chat, leave-a-message and rating forms,
// fetched when one is about to show), dist/attach.js (checking and uploading files, showing a message's files)
// and dist/faq-words-<lang>.js (a FAQ's language when it is not English).
// Plus dist/locales/*.json.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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
const bundle = (input, file, extra = [], output = {}) => ({
  input,
  // No "use strict" prologue: the sources are ES modules compiled as strict code anyway. Hidden source maps: the
  // .map files ship beside the bundles for debuggers and size.mjs, without a sourceMappingURL line in every download.
  output: { file, format: 'iife', sourcemap: 'hidden', strict: false, ...output },
  plugins: [
    ...extra,
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
  ],
});

// forms.js and attach.js must use app.js's Preact and store, not copies (hooks and contexts only work within one
// Preact): those imports stay external and arrive as `d`, the argument of the factory each chunk hands to the
// loader. Each such build records which names it imports; the app build (after them) generates `parley:forms-deps`
// with exactly the union of those.
const USE_STORE = fileURLToPath(new URL('./src/hooks/use-store.ts', import.meta.url));
const SHARED = { preact: 'd.p', 'preact/hooks': 'd.h', 'preact/jsx-runtime': 'd.j', 'parley:use-store': 'd.s' };
const sharedImports = {};
const satellite = (name) => ({
  name: 'parley-satellite-chunk',
  resolveId(source) {
    if (/\/hooks\/use-store\.js$/.test(source)) return { id: 'parley:use-store', external: true };
    return source in SHARED ? { id: source, external: true } : null;
  },
  generateBundle(_, out) {
    const chunk = Object.values(out).find((c) => c.type === 'chunk');
    sharedImports[name] = chunk.importedBindings;
    for (const [id, names] of Object.entries(chunk.importedBindings)) {
      if (!(id in SHARED) || names.some((n) => !/^\w+$/.test(n))) this.error(`${name}.js imports ${names} from ${id}: bundle it or share it (SHARED)`);
    }
  },
});
const SATELLITES = ['forms', 'attach'];
const formsDeps = () => ({
  name: 'parley-forms-deps',
  resolveId: (source) => (source === 'parley:forms-deps' ? '\0parley:forms-deps' : null),
  load(id) {
    if (id !== '\0parley:forms-deps') return null;
    const missing = SATELLITES.filter((n) => !sharedImports[n]);
    if (missing.length) this.error(`build ${missing.join(', ')} before app.js: app.js hands them what they import`);
    const union = {};
    for (const bindings of Object.values(sharedImports)) {
      for (const [from, names] of Object.entries(bindings)) union[from] = [...new Set([...(union[from] ?? []), ...names])].sort();
    }
    const entries = Object.entries(union);
    const imports = entries.map(([from, names], i) => `import { ${names.map((n) => `${n} as m${i}_${n}`).join(', ')} } from ${JSON.stringify(from === 'parley:use-store' ? USE_STORE : from)};`);
    const props = entries.map(([from, names], i) => `${SHARED[from].slice(2)}: { ${names.map((n) => `${n}: m${i}_${n}`).join(', ')} }`);
    return `${imports.join('\n')}\nexport default { ${props.join(', ')} };`;
  },
});
const satelliteBundle = (name) =>
  bundle(`src/${name}.ts`, `dist/${name}.js`, [satellite(name)], {
    name,
    globals: SHARED,
    // The chunk announces a factory: the loader passes it app.js's shared modules as `d`.
    banner: "document.currentScript?.dispatchEvent(new CustomEvent('parley:chunk',{detail:d=>{",
    footer: `return ${name}}}));`,
  });

// One file per FAQ language besides English (built into faq.js): its stop words and stemmer data.
const FAQ_WORD_LOCALES = ['es', 'fr', 'de', 'pt', 'it', 'nl', 'ar', 'he'];
const faqWords = (lang) => ({
  name: 'parley-faq-words',
  resolveId: (source) => (source === `parley:faq-words-${lang}` ? `\0${source}` : null),
  load: (id) =>
    id === `\0parley:faq-words-${lang}`
      ? `import { ${lang} } from '@parley/faq/locale-words';\ndocument.currentScript?.dispatchEvent(new CustomEvent('parley:chunk', { detail: { ${lang} } }));`
      : null,
});

export default [
  { ...npm, plugins: [...npm.plugins, locales()] },
  bundle('src/loader.ts', 'dist/loader.js'),
  ...SATELLITES.map(satelliteBundle),
  bundle('src/app-iife.ts', 'dist/app.js', [formsDeps()]),
  bundle('src/chunk-faq.ts', 'dist/faq.js'),
  bundle('src/chunk-faq-build.ts', 'dist/faq-build.js'),
  bundle('src/chunk-transport.ts', 'dist/transport.js'),
  ...FAQ_WORD_LOCALES.map((lang) => bundle(`parley:faq-words-${lang}`, `dist/faq-words-${lang}.js`, [faqWords(lang)])),
];
