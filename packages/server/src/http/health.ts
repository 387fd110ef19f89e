// Probes for orchestrators: /healthz (the process answers; 503 while draining so load balancers stop sending)
// and /readyz (this node can serve: storage and fan-out answer in time, and it is not draining).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeError, type Logger } from '../logger.js';

export interface HealthOptions {
  isDraining: () => boolean;
  /** Each check resolves when its dependency answers; a rejection or a timeout marks the node not ready. */
  checks: Readonly<Record<string, () => Promise<unknown>>>;
  /** How long one check may take. Default 2000 ms. */
  timeoutMs?: number;
  logger: Logger;
}

export type ProbeHandler = (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean>;

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/** Handles `/healthz` and `/readyz`; resolves false for any other path. */
export function createHealthHandler(options: HealthOptions): ProbeHandler {
  const timeoutMs = options.timeoutMs ?? 2000;

  async function runCheck(name: string, check: () => Promise<unknown>): Promise<'ok' | 'failed' | 'timeout'> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    try {
      return await Promise.race([check().then(() => 'ok' as const), timeout]);
    } catch (err) {
      options.logger.warn('readyz.check_failed', { check: name, ...describeError(err) });
      return 'failed';
    } finally {
      clearTimeout(timer);
    }
  }

  return async (req, res, path) => {
    if (path !== '/healthz' && path !== '/readyz') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed');
      return true;
    }
    const isDraining = options.isDraining();
    if (path === '/healthz') {
      answer(res, isDraining ? 503 : 200, { status: isDraining ? 'draining' : 'ok' });
      return true;
    }
    const names = Object.keys(options.checks);
    const results = await Promise.all(names.map((name) => runCheck(name, options.checks[name]!)));
    const checks: Record<string, string> = { draining: isDraining ? 'yes' : 'no' };
    names.forEach((name, i) => (checks[name] = results[i]!));
    const isReady = !isDraining && results.every((r) => r === 'ok');
    answer(res, isReady ? 200 : 503, { status: isReady ? 'ready' : 'not_ready', checks });
    return true;
  };
}
