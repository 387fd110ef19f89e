import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startFaultProxy } from '../../../../tests/support/fault-proxy.js';
import { createPostgresStorage } from '../storage/postgres.js';
import { DATABASE_URL, dropTestSchemas, nextTestSchema } from '../test-postgres.js';
import { createRedisFanout } from '../fanout/redis.js';
import { createJsonLogger } from '../logger.js';
import { createServer, type CreateServerOptions, type ParleyServer } from '../server.js';
import { createSqliteStorage } from '../storage/sqlite.js';

const silent = createJsonLogger({ level: 'silent' });
const REDIS_URL = process.env.REDIS_URL;
const servers: ParleyServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 50 })));
});
afterAll(() => dropTestSchemas());

async function start(options: CreateServerOptions = {}) {
  const server = createServer({ secret: 's'.repeat(40), logger: silent, ...options });
  servers.push(server);
  const { url } = await server.listen(0, '127.0.0.1');
  return { server, url };
}

async function probe(url: string, path: string) {
  const res = await fetch(`${url}${path}`);
  return { status: res.status, body: (await res.json()) as { status: string; checks?: Record<string, string> } };
}

describe('/healthz and /readyz', () => {
  it('are 200 on a healthy node, naming each check', async () => {
    const { url } = await start();
    expect(await probe(url, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await probe(url, '/readyz')).toEqual({ status: 200, body: { status: 'ready', checks: { draining: 'no', storage: 'ok', fanout: 'ok' } } });
  });

  it('readyz is 503 with storage failed when the database is gone, while healthz stays 200', async () => {
    const storage = createSqliteStorage({ path: ':memory:' });
    const { url } = await start({ storage });
    await storage.close();
    expect(await probe(url, '/readyz')).toEqual({ status: 503, body: { status: 'not_ready', checks: { draining: 'no', storage: 'failed', fanout: 'ok' } } });
    expect((await probe(url, '/healthz')).status).toBe(200);
  });

  it('both are 503 once draining has begun', async () => {
    // Embedded in an app's own HTTP server, which outlives Parley's close: the probes can be asked afterwards.
    const http = createHttpServer((req, res) => parley.handleRequest(req, res));
    const parley = createServer({ secret: 's'.repeat(40), logger: silent, httpServer: http });
    const { url } = await parley.listen(0, '127.0.0.1');
    try {
      expect((await probe(url, '/readyz')).status).toBe(200);
      await parley.close({ graceMs: 50 });
      expect(await probe(url, '/readyz')).toEqual({ status: 503, body: { status: 'not_ready', checks: expect.objectContaining({ draining: 'yes' }) } });
      expect(await probe(url, '/healthz')).toEqual({ status: 503, body: { status: 'draining' } });
    } finally {
      await new Promise((resolve) => http.close(resolve));
    }
  });

  it('refuses other methods with 405', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/readyz`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it.skipIf(REDIS_URL === undefined)('readyz is 503 with fanout failed when Redis is unreachable', async () => {
    const fanout = await createRedisFanout({ url: REDIS_URL!, prefix: `parley-test-${randomUUID()}:`, commandTimeoutMs: 500 });
    const { url } = await start({ fanout });
    expect((await probe(url, '/readyz')).body.checks?.fanout).toBe('ok');
    await fanout.close();
    expect(await probe(url, '/readyz')).toEqual({ status: 503, body: { status: 'not_ready', checks: { draining: 'no', storage: 'ok', fanout: 'failed' } } });
  });

  it.skipIf(DATABASE_URL === undefined)('readyz follows a Postgres outage and recovery', async () => {
    const url = new URL(DATABASE_URL!);
    const pgPort = Number(url.port || 5432);
    const proxy = await startFaultProxy(pgPort);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    const storage = await createPostgresStorage({ connectionString: url.toString(), schema: nextTestSchema(), connectionTimeoutMs: 500, onError: () => {} });
    try {
      const { url: server } = await start({ storage });
      expect((await probe(server, '/readyz')).status).toBe(200);
      // New connections refused, pooled ones reset: the database is gone for this node.
      proxy.retarget(1);
      proxy.inject('reset');
      const down = await probe(server, '/readyz');
      expect(down.status).toBe(503);
      expect(['failed', 'timeout']).toContain(down.body.checks?.storage);
      expect((await probe(server, '/healthz')).status).toBe(200);
      proxy.retarget(pgPort);
      await expect.poll(async () => (await probe(server, '/readyz')).status, { timeout: 10_000 }).toBe(200);
    } finally {
      await servers.pop()?.close({ graceMs: 50 });
      await storage.close();
      await proxy.close();
    }
  });
});
