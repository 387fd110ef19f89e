// Navigation → launcher visible, in headless Chromium: median of 10 cold loads, and first contentful paint of the
// same page with and without the widget (the async snippet must not delay the host page).
// Run after `pnpm --filter @parley/widget build` (WIDGET_DIST=<dir> for another build). Writes
// results/launcher-time-<date>.json. Not a pass/fail check: timings on a shared machine are for comparison.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const dist = process.env.WIDGET_DIST ?? join(here, '../../../packages/widget/dist');
const RUNS = Number(process.env.RUNS ?? 10);
const snippet = `<script>(function(w,d,s){w.Parley=w.Parley||function(){(w.Parley.q=w.Parley.q||[]).push(arguments)};s=d.createElement('script');s.async=1;s.src='/parley/loader.js';d.head.appendChild(s)})(window,document);Parley('boot',{server:'wss://chat.example/ws/visitor'});</script>`;
const page = (withWidget) => `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>${withWidget ? snippet : ''}</head>
<body><h1>Northwind Outfitters</h1><p>${'Lorem ipsum dolor sit amet. '.repeat(40)}</p></body></html>`;

// Records when the launcher first exists in a rendered frame (rAF after it appears ≈ painted).
const probe = `(() => { const tick = () => { const b = document.querySelector('[data-pos]')?.shadowRoot?.querySelector('button.pl');
  if (b) requestAnimationFrame(() => { window.__launcherMs = performance.now(); }); else requestAnimationFrame(tick); }; requestAnimationFrame(tick); })();`;

const server = createServer((req, res) => {
  if (req.url === '/with') return res.writeHead(200, { 'content-type': 'text/html' }).end(page(true));
  if (req.url === '/without') return res.writeHead(200, { 'content-type': 'text/html' }).end(page(false));
  const file = join(dist, (req.url ?? '').replace(/^\/parley\//, ''));
  if (req.url?.startsWith('/parley/') && existsSync(file)) return res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(file));
  return res.writeHead(404).end();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const runs = { with: { fcp: [], launcher: [], widgetRequests: [] }, without: { fcp: [] } };
for (let i = 0; i < RUNS; i++) {
  for (const kind of ['without', 'with']) {
    const context = await browser.newContext(); // cold: no cache between runs
    const p = await context.newPage();
    // Widget requests made before the launcher showed: the budget says one (loader.js).
    const widgetUrls = [];
    p.on('request', (r) => {
      if (r.url().includes('/parley/')) widgetUrls.push(r.url());
    });
    await p.addInitScript(probe);
    await p.goto(`${base}/${kind}`);
    if (kind === 'with') await p.waitForFunction(() => window.__launcherMs !== undefined);
    await p.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0);
    const m = await p.evaluate(() => ({ fcp: performance.getEntriesByName('first-contentful-paint')[0].startTime, launcher: window.__launcherMs }));
    runs[kind].fcp.push(m.fcp);
    if (kind === 'with') {
      runs.with.launcher.push(m.launcher);
      runs.with.widgetRequests.push(widgetUrls.length);
    }
    await context.close();
  }
}
await browser.close();
server.close();

const result = {
  at: new Date().toISOString(),
  runs: RUNS,
  medianMs: {
    fcpWithoutWidget: median(runs.without.fcp),
    fcpWithWidget: median(runs.with.fcp),
    launcherVisible: median(runs.with.launcher),
  },
  widgetRequestsBeforeLauncher: Math.max(...runs.with.widgetRequests),
  raw: runs,
};
const f = (n) => `${n.toFixed(1).padStart(7)} ms`;
console.log(`median of ${RUNS} cold loads (localhost, headless Chromium, no throttling)`);
console.log(`first contentful paint, no widget   ${f(result.medianMs.fcpWithoutWidget)}`);
console.log(`first contentful paint, with widget ${f(result.medianMs.fcpWithWidget)}`);
console.log(`navigation → launcher visible       ${f(result.medianMs.launcherVisible)}  (${result.widgetRequestsBeforeLauncher} widget request before it)`);
console.log(`launcher − FCP of the page without widget: ${f(result.medianMs.launcherVisible - result.medianMs.fcpWithoutWidget)}`);
mkdirSync(join(here, 'results'), { recursive: true });
const out = join(here, 'results', `launcher-time-${result.at.slice(0, 10)}.json`);
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(`wrote ${out}`);
