// Serves the demo shop under a strict CSP (nonce + strict-dynamic, no unsafe-inline/eval), pointing its script
// tag at a Parley server. Used by `pnpm start` and by the browser tests; runnable alone with PARLEY_URL set.

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PUBLIC = fileURLToPath(new URL('./public/', import.meta.url));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
const FILES = new Set(['/index.html', '/shop.js', '/styles.css']);

/**
 * @param {{ port?: number, host?: string, parleyUrl: string }} options parleyUrl: the Parley server's HTTP origin
 * @returns {Promise<{ url: string, server: http.Server, close(): Promise<void> }>}
 */
export async function startStorefront({ port = 0, host = '127.0.0.1', parleyUrl }) {
  const parley = new URL(parleyUrl);
  const parleyWs = `${parley.protocol === 'https:' ? 'wss:' : 'ws:'}//${parley.host}`;
  const server = http.createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = path === '/' ? '/index.html' : path;
    if (!FILES.has(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    let body = await readFile(join(PUBLIC, file), 'utf8');
    const headers = { 'content-type': TYPES[extname(file)], 'cache-control': 'no-store' };
    if (file === '/index.html') {
      const nonce = randomBytes(16).toString('base64');
      body = body
        .replaceAll('{{nonce}}', nonce)
        .replaceAll('{{parleyUrl}}', parley.origin)
        .replaceAll('{{parleyWs}}', parleyWs);
      headers['content-security-policy'] = [
        `script-src 'nonce-${nonce}' 'strict-dynamic'`,
        `style-src 'nonce-${nonce}'`,
        `connect-src 'self' ${parley.origin} ${parleyWs}`,
        `img-src 'self' data: ${parley.origin}`,
        "object-src 'none'",
        "base-uri 'none'",
      ].join('; ');
    }
    res.writeHead(200, headers).end(body);
  });
  // A taken port rejects (EADDRINUSE) instead of crashing the process with an unhandled 'error' event.
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
  return { url, server, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const parleyUrl = process.env.PARLEY_URL ?? 'http://127.0.0.1:8080';
  const { url } = await startStorefront({ port: Number(process.env.PORT ?? 3000), parleyUrl });
  console.log(`storefront: ${url} (Parley at ${parleyUrl})`);
}
