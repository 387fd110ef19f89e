// Widget size budget (`pnpm size`): brotli (q11) and gzip (9) of the loader and of everything the first open
// loads, each file compressed on its own as a server sends it. Exits 1 above budget. Writes results/size-<date>.json.
// Run after the widget build (`pnpm build`). Also, in the same run:
//   - a floor: Preact + hooks + zustand drawing a launcher and a minimal panel (floor/entry.js), built with our
//     minifier options, so our first open is reported as a ratio of what the stack alone costs;
//   - where the bytes go, by source package, from the bundles' source maps;
//   - our row beside the peer widgets measured by /work/shared/bench/peers (their figures are that benchmark's,
//     read from peers-reported.json, not measured here).
// WIDGET_DIST=<dir> measures another build of dist/. `--only=loader` enforces only the named budget(s) (comma-separated)
// and prints the others as information: how CI guards the loader while the first open is still over its budget.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { AFTER_FIRST_MESSAGE, FIRST_OPEN, FRESH_OPEN, RESUMED_OPEN, WHEN_NEEDED } from './first-open-files.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const widgetDir = join(here, '../../../packages/widget');
const dist = process.env.WIDGET_DIST ?? join(widgetDir, 'dist');
// Budgets in bytes, brotli (the issue's "2 KB" and "20 KB", read as KiB). STYLE.md states gzip ones: printed too.
const BUDGET = { loader: 2048, firstOpen: 20480 };
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
if (only?.some((k) => !(k in BUDGET))) {
  console.error(`--only takes ${Object.keys(BUDGET).join(', ')}`);
  process.exit(2);
}
const enforced = only ?? Object.keys(BUDGET);

const br = (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const gz = (b) => gzipSync(b, { level: 9 }).length;
const sizes = (buf) => ({ raw: buf.length, gzip: gz(buf), brotli: br(buf) });
const file = (f) => {
  const path = join(dist, f);
  if (!existsSync(path)) {
    console.error(`${path} is missing: build the widget first (pnpm build)`);
    process.exit(2);
  }
  return readFileSync(path);
};
/** Several files, each compressed alone (one response each), summed. */
const measure = (files) => {
  const each = files.map((f) => sizes(file(f)));
  const sum = (k) => each.reduce((n, s) => n + s[k], 0);
  return { files, requests: files.length, raw: sum('raw'), gzip: sum('gzip'), brotli: sum('brotli') };
};

// The loader is one classic script that imports nothing: the launcher needs that one request. Which files a first
// open loads comes from first-open-files.mjs, which a Chromium test checks against real fetches on the demo: app.js,
// the locale, faq.js at once (the first question needs it), transport.js at the hand-off (or at once when a
// conversation is resumed); forms.js (pre-chat, leave a message, rating) only on idle after the shopper has
// written, and attach.js (checking, uploading and showing files) when the shopper picks a file or a message has
// files, so neither is part of the first open (each shown on its own row). The issue counts transport in the first open, so the budget does; "self-service open"
// shows what a shopper who never asks for a person downloads. Locale and FAQ data excluded.
// The budgeted first open assumes a compiled FAQ (`parley-faq build --compiled`); a site serving raw entries (or
// inline `faq`) also loads faq-build.js, shown on its own row.
const rows = {
  loader: measure(['loader.js']),
  'app.js': measure(['app.js']),
  'faq.js': measure(['faq.js']),
  'faq-build.js': measure(['faq-build.js']),
  'transport.js': measure(['transport.js']),
  'forms.js (later)': measure(AFTER_FIRST_MESSAGE),
  'attach.js (if used)': measure(WHEN_NEEDED),
  'self-service open': measure(FRESH_OPEN),
  'resumed open': measure(RESUMED_OPEN),
  firstOpen: measure(FIRST_OPEN),
  'open, FAQ uncompiled': measure([...FIRST_OPEN, 'faq-build.js']),
  'locale en (data)': measure(['locales/en.json']),
};

// ---- floor ----------------------------------------------------------------------------------------------------
const widgetRequire = createRequire(join(widgetDir, 'package.json'));
const load = async (name) => (await import(pathToFileURL(widgetRequire.resolve(name)).href)).default;
async function buildFloor() {
  const { rollup } = await import(pathToFileURL(widgetRequire.resolve('rollup')).href);
  const nodeResolve = await load('@rollup/plugin-node-resolve');
  const replace = await load('@rollup/plugin-replace');
  const terser = await load('@rollup/plugin-terser');
  const { TERSER_OPTIONS } = await import(pathToFileURL(join(widgetDir, 'terser.config.mjs')).href);
  const bundle = await rollup({
    input: join(here, 'floor/entry.js'),
    onwarn: () => {},
    plugins: [
      nodeResolve({ browser: true, modulePaths: [join(widgetDir, 'node_modules')] }),
      replace({ preventAssignment: true, values: { 'process.env.NODE_ENV': JSON.stringify('production') } }),
      terser(TERSER_OPTIONS),
    ],
  });
  const { output } = await bundle.generate({ format: 'iife' });
  await bundle.close();
  return sizes(Buffer.from(output[0].code));
}
const floor = await buildFloor();

// ---- where the bytes go ---------------------------------------------------------------------------------------
// Map sources are relative to dist/ (`../src/…` for the widget, `../../faq/src/…` for siblings): first match wins.
const PARTS = [
  ['Preact + hooks', /\/preact\//],
  ['zustand', /\/zustand\//],
  ['FAQ engine (@parley/faq)', /(^|\/)faq\/src\//],
  ['transport', /(^|\/)transport\/src\//],
  ['protocol (decoder, schemas)', /(^|\/)protocol\/src\//],
  ['widget: styles', /(^|\/)src\/styles\//],
  ['widget: UI, store, app', /(^|\/)src\//],
];
/** Minified text of each part, from the source maps ('hidden': rollup writes them, the bundles do not link them). */
function byPart(files) {
  const text = Object.fromEntries(PARTS.map(([name]) => [name, '']));
  text.other = '';
  for (const f of files) {
    const code = file(f).toString('utf8').split('\n');
    const map = JSON.parse(file(`${f}.map`).toString('utf8'));
    const part = map.sources.map((s) => PARTS.find(([, re]) => re.test(s))?.[0] ?? 'other');
    decodeMappings(map.mappings).forEach((segments, line) => {
      const src = code[line] ?? '';
      segments.forEach(([col, source], i) => {
        const end = segments[i + 1]?.[0] ?? src.length;
        const name = source === undefined ? 'other' : part[source];
        text[name] += src.slice(col, end);
      });
    });
  }
  return Object.entries(text)
    .filter(([, t]) => t.length)
    .map(([name, t]) => ({ part: name, min: Buffer.byteLength(t), brotli: br(Buffer.from(t)) }));
}
// Source map VLQ "mappings" → per generated line, [column, sourceIndex] segments (absolute).
function decodeMappings(mappings) {
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let source = 0;
  return mappings.split(';').map((line) => {
    let col = 0;
    return line
      .split(',')
      .filter(Boolean)
      .map((seg) => {
        const values = [];
        let value = 0;
        let shift = 0;
        for (const ch of seg) {
          const digit = B64.indexOf(ch);
          value += (digit & 31) << shift;
          if (digit & 32) shift += 5;
          else {
            values.push(value & 1 ? -(value >>> 1) : value >>> 1);
            value = 0;
            shift = 0;
          }
        }
        col += values[0];
        if (values.length > 1) source += values[1];
        return [col, values.length > 1 ? source : undefined];
      });
  });
}
const parts = byPart(rows.firstOpen.files);

// ---- print ----------------------------------------------------------------------------------------------------
const KiB = (n) => (n / 1024).toFixed(2).padStart(7);
console.log('bundle              | req |     raw |    gzip |  brotli | budget (br)');
console.log('--------------------|-----|---------|---------|---------|-------------');
for (const [name, r] of Object.entries(rows)) {
  const budget = BUDGET[name];
  const verdict = budget
    ? `${KiB(budget)} K ${r.brotli <= budget ? 'ok' : `OVER by ${((r.brotli - budget) / 1024).toFixed(2)} K`}${enforced.includes(name) ? '' : ' (not enforced)'}`
    : '';
  console.log(`${name.padEnd(20)}|${String(r.requests).padStart(4)} |${KiB(r.raw)} K|${KiB(r.gzip)} K|${KiB(r.brotli)} K| ${verdict}`);
}
console.log(`${'floor (same run)'.padEnd(20)}|   1 |${KiB(floor.raw)} K|${KiB(floor.gzip)} K|${KiB(floor.brotli)} K| Preact + hooks + zustand, minimal launcher and panel`);
console.log(`\nfirst open = ${(rows.firstOpen.brotli / floor.brotli).toFixed(1)}× the floor (brotli); self-service open = ${(rows['self-service open'].brotli / floor.brotli).toFixed(1)}×`);

console.log('\nfirst open by part           |  minified | brotli alone');
console.log('-----------------------------|-----------|-------------');
for (const p of parts) console.log(`${p.part.padEnd(29)}|${KiB(p.min)} K |${KiB(p.brotli)} K`);
console.log('(each part compressed alone, so the parts sum to more than the files: shared context is lost)');

// Peers: same columns as /work/shared/bench/peers (kB = 1000 bytes there).
const peers = JSON.parse(readFileSync(join(here, 'peers-reported.json'), 'utf8'));
const latest = (prefix) => {
  const dir = join(here, 'results');
  const f = existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith(prefix)).sort().at(-1) : undefined;
  return f ? JSON.parse(readFileSync(join(dir, f), 'utf8')) : undefined;
};
const timing = latest('launcher-time-');
const kB = (b) => (b == null ? '–' : (b / 1000).toFixed(b < 10000 ? 2 : 1));
const ms = (v) => (v == null ? '–' : `${Math.round(v)}`);
console.log(`\nwidget (kB = 1000 B)                            | before launcher (br) | requests | first open (br) | to launcher (ms, 1× CPU) | source`);
console.log('------------------------------------------------|----------------------|----------|-----------------|--------------------------|-------');
const peerRow = (name, before, requests, open, time, source) =>
  console.log(`${name.padEnd(48)}|${kB(before).padStart(21)} |${String(requests ?? '–').padStart(9)} |${kB(open).padStart(16)} |${String(time).padStart(25)} | ${source}`);
peerRow(
  '@parley/widget (this build)',
  rows.loader.brotli,
  `${rows.loader.requests}`,
  rows.firstOpen.brotli,
  timing ? `${ms(timing.medianMs.launcherVisible)} (empty page FCP ${ms(timing.medianMs.fcpWithoutWidget)})` : 'run launcher-time.mjs',
  timing ? `measured now; time from ${timing.at.slice(0, 16)}` : 'measured now',
);
peerRow('floor: Preact + zustand (this run)', floor.brotli, 1, floor.brotli, '–', 'measured now (floor/entry.js)');
for (const p of peers.rows) peerRow(p.name, p.beforeLauncherBr, p.requests, p.firstOpenBr, p.toLauncherMs ?? '–', p.source);
console.log(peers.note);

mkdirSync(join(here, 'results'), { recursive: true });
const out = join(here, 'results', `size-${new Date().toISOString().slice(0, 10)}.json`);
writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), dist, budget: BUDGET, enforced, rows, floor, parts, peers: peers.rows }, null, 2)}\n`);
console.log(`\nwrote ${out}`);

const over = Object.entries(BUDGET).filter(([k, v]) => enforced.includes(k) && rows[k].brotli > v);
if (over.length) {
  console.error(`\nOVER BUDGET: ${over.map(([k, v]) => `${k} ${rows[k].brotli} B > ${v} B`).join(', ')}`);
  process.exit(1);
}
