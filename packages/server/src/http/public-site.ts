// What any page may read about a site, without credentials: `GET /api/sites/:key/public` (the widget's site config:
// theme, greeting, business hours and whether it is open now, rating scale, pre-chat form, whether transcripts can be
// e-mailed; never secrets or origins) and the site's saved FAQ compiled for the widget at `/faq/:key.json`.
// Both are public and cacheable, so they answer with `Access-Control-Allow-Origin: *` like the asset folders.
// Every answer costs storage reads, so each client address has a token bucket (RATE_LIMITED, 429).

import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ParleyError } from '@parley/protocol';
import { describeError, type Logger } from '../logger.js';
import { TokenBucket, type BucketRate } from '../rate-limit.js';
import { isOpenAt } from '../business-hours.js';
import { createCompiledFaqCache } from '../site-faq.js';
import type { Storage } from '../storage/storage.js';
import { sendError } from './json.js';
import { clientAddress } from '../client-address.js';

const PUBLIC_PATH = /^\/api\/sites\/([A-Za-z0-9][A-Za-z0-9_-]{0,63})\/public$/;
const FAQ_PATH = /^\/faq\/([A-Za-z0-9][A-Za-z0-9_-]{0,63})\.json$/;

/** Per client address: a page load needs two (config, FAQ); reloads and many tabs fit in the burst. */
export const PUBLIC_RATE: BucketRate = { perSecond: 5, burst: 60 };
/** Buckets kept at most; the oldest address is forgotten first. */
const MAX_BUCKETS = 10_000;
/**
 * The widget reads the config on every first open: it stays small. The settings' own bounds (a 500-character
 * greeting, 7 days of hours) keep it under 4 KB; this is the backstop.
 */
export const MAX_PUBLIC_CONFIG_BYTES = 8 * 1024;

/** The site config the widget reads (`GET /api/sites/:key/public`). */
export interface PublicSiteConfig {
  key: string;
  theme?: { color?: string; position?: 'left' | 'right'; greeting?: string };
  businessHours?: { timezone: string; days: Array<{ day: number; open: string; close: string }> };
  /** Within the business hours now (true without hours). */
  isOpen: boolean;
  ratingScale: 'csat' | 'ces' | 'nps';
  preChat: Array<'name' | 'email'>;
  /** Whether this server can e-mail a transcript (`transcript.email`). */
  transcriptEmail: boolean;
  faqUrl?: string;
}

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

export function createPublicSiteHandler(options: {
  storage: Storage;
  logger: Logger;
  now?: () => number;
  rate?: BucketRate;
  /** Whether transcript e-mails are set up (SMTP). */
  canEmailTranscript?: boolean;
}): PublicSiteHandler {
  const { storage, logger } = options;
  const now = options.now ?? Date.now;
  const compiled = createCompiledFaqCache();
  const buckets = new Map<string, TokenBucket>();

  /** False (and a 429 sent) when this address has used its budget. */
  function admit(req: IncomingMessage, res: ServerResponse): boolean {
    const address = clientAddress(req);
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
        const body: PublicSiteConfig = {
          key: site.key,
          ...(site.theme === undefined ? {} : { theme: site.theme }),
          ...(site.businessHours === undefined ? {} : { businessHours: site.businessHours }),
          isOpen: site.businessHours === undefined || isOpenAt(site.businessHours, now()),
          ratingScale: site.ratingScale ?? 'csat',
          preChat: site.preChat ?? [],
          transcriptEmail: options.canEmailTranscript === true,
          ...(faq === undefined ? {} : { faqUrl: `/faq/${site.key}.json` }),
        };
        const text = JSON.stringify(body);
        if (Buffer.byteLength(text) > MAX_PUBLIC_CONFIG_BYTES) throw new Error(`public config of ${site.key} is over ${MAX_PUBLIC_CONFIG_BYTES} bytes`);
        sendPublic(req, res, text);
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
