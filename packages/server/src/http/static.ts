// Serves the built console (index.html + assets) under a path prefix: GET/HEAD only, paths confined to the
// directory, content types, ETag revalidation, strict CSP, SPA fallback. Knows nothing about the API.

import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The console needs nothing inline and talks only to its own origin (REST, WebSocket, FAQ JSON).
 * `connect-src 'self'` covers same-origin ws:/wss: in CSP Level 3 browsers.
 */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export interface StaticHandlerOptions {
  /** Directory holding index.html and the assets. */
  dir: string;
  /** URL prefix with a trailing slash, e.g. `/console/`. */
  prefix: string;
  /**
   * Public assets for other sites' pages (the widget's loader, app and locales; FAQ files): no index.html fallback,
   * and `Access-Control-Allow-Origin: *` so a storefront on another origin can `fetch` the JSON ones.
   */
  isPublicAsset?: boolean;
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

async function fileStats(path: string): Promise<Stats | undefined> {
  try {
    const stats = await stat(path);
    return stats.isFile() ? stats : undefined;
  } catch {
    // Missing or unreadable: the caller answers 404 or falls back to index.html.
    return undefined;
  }
}

/** Builds a handler for requests whose path starts with `prefix` (and for the bare prefix without its slash). */
export function createStaticHandler(options: StaticHandlerOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const root = resolve(options.dir);
  const prefix = options.prefix.endsWith('/') ? options.prefix : `${options.prefix}/`;

  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      plain(res, 405, 'method not allowed', { allow: 'GET, HEAD' });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === prefix.slice(0, -1)) {
      res.writeHead(308, { location: `${prefix}${url.search}` }).end();
      return;
    }
    let relative: string;
    try {
      relative = decodeURIComponent(url.pathname.slice(prefix.length));
    } catch {
      plain(res, 400, 'bad path');
      return;
    }
    if (relative.includes('\0')) {
      plain(res, 400, 'bad path');
      return;
    }
    if (relative === '' || relative.endsWith('/')) relative += 'index.html';
    // Resolve, then insist the result is still inside root: `..`, encoded `%2e%2e` and absolute paths all land here.
    let path = resolve(root, `.${sep}${relative}`);
    if (path !== root && !path.startsWith(root + sep)) {
      plain(res, 404, 'not found');
      return;
    }
    let stats = await fileStats(path);
    if (stats === undefined) {
      // Client-side routes (/console/history) get the app; a missing asset (/console/x.js) is a real 404.
      if (extname(relative) !== '' || options.isPublicAsset) {
        plain(res, 404, 'not found');
        return;
      }
      path = resolve(root, 'index.html');
      stats = await fileStats(path);
      if (stats === undefined) {
        plain(res, 404, 'the console is not built (run the console build)');
        return;
      }
    }
    const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
    const headers: Record<string, string> = {
      'content-type': TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
      // File names carry no content hash, so every use revalidates; the ETag makes that a cheap 304.
      'cache-control': 'no-cache',
      etag,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-security-policy': CSP,
      'x-frame-options': 'DENY',
    };
    if (options.isPublicAsset) {
      headers['access-control-allow-origin'] = '*';
      headers['cross-origin-resource-policy'] = 'cross-origin';
      delete headers['x-frame-options'];
    }
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers).end();
      return;
    }
    headers['content-length'] = String(stats.size);
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(path);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };
}
