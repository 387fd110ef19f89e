// Serves the example app (index.html, the rollup build in dist/, and the widget's locales from the package) and
// points it at a Parley server. Used by `pnpm start` here and by tests/e2e/npm-app.test.ts.

import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));
// The widget's shipped locales, through the package's `./locales/*` export (dist/locales/).
const LOCALES_DIR = dirname(fileURLToPath(import.meta.resolve('@parley/widget/locales/en.json')));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json' };

/** Maps a URL path to a file, or undefined; never outside the folders it serves. */
function fileFor(path) {
  const clean = normalize(decodeURIComponent(path));
  if (clean.includes('..')) return undefined;
  if (clean === '/' || clean === '/index.html') return join(HERE, 'index.html');
  if (clean === '/styles.css') return join(HERE, 'styles.css');
  if (clean.startsWith('/dist/')) return join(HERE, clean);
  if (clean.startsWith('/parley/locales/')) return join(LOCALES_DIR, clean.slice('/parley/locales/'.length));
  return undefined;
}

/**
 * @param {{ port?: number, host?: string, parleyUrl: string }} options parleyUrl: the Parley server's HTTP origin
 * @returns {Promise<{ url: string, close(): Promise<void> }>}
 */
export async function startNpmApp({ port = 0, host = '127.0.0.1', parleyUrl }) {
  const parley = new URL(parleyUrl);
  const parleyWs = `${parley.protocol === 'https:' ? 'wss:' : 'ws:'}//${parley.host}`;
  const server = http.createServer(async (req, res) => {
    const file = fileFor(new URL(req.url ?? '/', 'http://x').pathname);
    let body;
    try {
      if (file === undefined) throw new Error('not found');
      body = await readFile(file);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (file.endsWith('index.html')) body = String(body).replaceAll('{{parleyUrl}}', parley.origin).replaceAll('{{parleyWs}}', parleyWs);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  const url = `http://${host}:${server.address().port}`;
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const parleyUrl = process.env.PARLEY_URL ?? 'http://127.0.0.1:8080';
  const { url } = await startNpmApp({ port: Number(process.env.PORT ?? 3001), parleyUrl });
  console.log(`npm example app: ${url} (Parley at ${parleyUrl}; run \`pnpm start\` at the repository root first)`);
}
