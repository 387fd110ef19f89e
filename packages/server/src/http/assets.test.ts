import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ParleyServer } from '../server.js';

describe('assetDirs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-assets-'));
  let server: ParleyServer;
  let base: string;

  beforeAll(async () => {
    writeFileSync(join(dir, 'loader.js'), 'console.log(1)');
    writeFileSync(join(dir, 'index.html'), '<p>not for assets</p>');
    server = createServer({ assetDirs: { '/widget': dir } });
    base = (await server.listen(0, '127.0.0.1')).url;
  });
  afterAll(async () => {
    await server.close({ graceMs: 0 });
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves files cross-origin with a JavaScript type', async () => {
    const res = await fetch(`${base}/widget/loader.js`, { headers: { origin: 'https://shop.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.text()).toBe('console.log(1)');
  });

  it('answers 404 for a missing asset instead of falling back to index.html', async () => {
    expect((await fetch(`${base}/widget/app`)).status).toBe(404);
    expect((await fetch(`${base}/widget/../package.json`)).status).toBe(404);
  });

  it('serves through handleRequest when embedded in an existing HTTP server', async () => {
    const host = http.createServer((req, res) => {
      if (req.url?.startsWith('/widget/') || req.url === '/healthz') embedded.handleRequest(req, res);
      else res.end('host app');
    });
    const embedded = createServer({ httpServer: host, assetDirs: { '/widget/': dir } });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    try {
      expect(await (await fetch(`${url}/`)).text()).toBe('host app');
      expect(await (await fetch(`${url}/widget/loader.js`)).text()).toBe('console.log(1)');
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await embedded.close({ graceMs: 0 });
      await new Promise((resolve) => host.close(resolve));
    }
  });
});
