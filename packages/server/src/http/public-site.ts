// What any page may read about a site, without credentials: `GET /api/sites/:key/public` (theme, greeting,
// business hours; never secrets or origins) and the site's saved FAQ compiled for the widget at `/faq/:key.json`.
// Both are public and cacheable, so they answer with `Access-Control-Allow-Origin: *` like the asset folders.
// Every answer costs storage reads, so each client address has a token bucket (RATE_LIMITED, 429).

import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ParleyError } from '@parley/protocol';
import { describeError, type Logger } from '../logger.js';
import { TokenBucket, type BucketRate } from '../rate-limit.js';
import { createCompiledFaqCache } from '../site-faq.js';
import type { Storage } from '../storage/storage.js';
import { sendError } from './json.js';

const PUBLIC_PATH = /^\/api\/sites\/([A-Za-z0-9][A-Za-z0-9_-]{0,63})\/public$/;
const FAQ_PATH = /^\/faq\/([A-Za-z0-9][A-Za-z0-9_-]{0,63})\.json$/;

/** Per client address: a page load needs two (config, FAQ); reloads and many tabs fit in the burst. */
export const PUBLIC_RATE: BucketRate = { perSecond: 5, burst: 60 };
/** Buckets kept at most; the oldest address is forgotten first. */
const MAX_BUCKETS = 10_000;

const PUBLIC_HEADERS = {
  'access-control-allow-origin': '*',
  'cross-origin-resource-policy': 'cross-origin',
  'x-content-type-options': 'nosniff',
  // Revalidate on each use (cheap with the ETag), so an admin's change shows on the next page load.
  'cache-control': 'no-cache',
};

export interface PublicSiteHandler {
  /** True when `path` is `/api/sites/:key/public`. */
  ownsConfigPath(path: string): boolean;
  /** `GET /api/sites/:key/public`: 404 for an unknown site. */
  serveConfig(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
  /** `/faq/:key.json` from storage; false (nothing sent) when the site has no saved FAQ, so asset folders may answer. */
  serveFaq(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean>;
}

function sendPublic(req: IncomingMessage, res: ServerResponse, text: string): void {
  const etag = `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
  const headers: Record<string, string> = { ...PUBLIC_HEADERS, 'content-type': 'application/json; charset=utf-8', etag };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers).end();
    return;
  }
  headers['content-length'] = String(Buffer.byteLength(text));
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : text);
}

function methodAllowed(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return true;
  res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed');
  return false;
}

export function createPublicSiteHandler(options: { storage: Storage; logger: Logger; now?: () => number; rate?: BucketRate }): PublicSiteHandler {
  const { storage, logger } = options;
  const now = options.now ?? Date.now;
  const compiled = createCompiledFaqCache();
  const buckets = new Map<string, TokenBucket>();

  /** False (and a 429 sent) when this address has used its budget. */
  function admit(req: IncomingMessage, res: ServerResponse): boolean {
    const address = req.socket.remoteAddress ?? 'unknown';
    let bucket = buckets.get(address);
    if (bucket === undefined) {
      if (buckets.size >= MAX_BUCKETS) buckets.delete(buckets.keys().next().value!);
      buckets.set(address, (bucket = new TokenBucket(options.rate ?? PUBLIC_RATE, now())));
    }
    if (bucket.take(now())) return true;
    sendError(res, new ParleyError('RATE_LIMITED', 'too many requests; wait a few seconds', { retryable: true }), { ...PUBLIC_HEADERS, 'retry-after': '5' });
    return false;
  }

  return {
    ownsConfigPath: (path) => path.startsWith('/api/sites/') && path.endsWith('/public'),

    async serveConfig(req, res, path) {
      if (!methodAllowed(req, res) || !admit(req, res)) return;
      const key = PUBLIC_PATH.exec(path)?.[1];
      try {
        const site = key === undefined ? undefined : await storage.getSiteByKey(key);
        if (site === undefined) {
          sendError(res, new ParleyError('PROTOCOL_UNKNOWN_TYPE', 'no such site'), PUBLIC_HEADERS);
          return;
        }
        const faq = await storage.getSiteFaq(site.id);
        const body: Record<string, unknown> = { key: site.key };
        if (site.theme !== undefined) body.theme = site.theme;
        if (site.businessHours !== undefined) body.businessHours = site.businessHours;
        if (faq !== undefined) body.faqUrl = `/faq/${site.key}.json`;
        sendPublic(req, res, JSON.stringify(body));
      } catch (err) {
        logger.error('public_site.failed', describeError(err));
        sendError(res, err instanceof ParleyError && err.code === 'STORAGE_UNAVAILABLE' ? err : new ParleyError('SERVER_INTERNAL', 'internal error'), PUBLIC_HEADERS);
      }
    },

    async serveFaq(req, res, path) {
      const key = FAQ_PATH.exec(path)?.[1];
      if (key === undefined) return false;
      if (!admit(req, res)) return true;
      const site = await storage.getSiteByKey(key);
      const faq = site === undefined ? undefined : await storage.getSiteFaq(site.id);
      if (faq === undefined) return false;
      if (!methodAllowed(req, res)) return true;
      sendPublic(req, res, compiled.get(faq));
      return true;
    },
  };
}
