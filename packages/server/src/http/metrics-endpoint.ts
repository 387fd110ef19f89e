// GET /metrics in the Prometheus text format, optionally behind a bearer token (scrapers send it as
// `authorization: Bearer …`, Prometheus' `authorization` / `bearer_token` setting).

import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics.js';

export interface MetricsEndpointOptions {
  render: () => Promise<string>;
  /** When set, scrapes must send `Authorization: Bearer <token>`. */
  token?: string;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

export function createMetricsEndpoint(options: MetricsEndpointOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  // Compared as SHA-256 digests so the comparison is constant-time whatever the lengths.
  const expected = options.token === undefined ? undefined : digest(`Bearer ${options.token}`);
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed');
      return;
    }
    if (expected !== undefined) {
      const given = req.headers.authorization;
      if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected)) {
        res.writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"', 'content-type': 'text/plain' }).end('unauthorized');
        return;
      }
    }
    const body = await options.render();
    res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(body)) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
