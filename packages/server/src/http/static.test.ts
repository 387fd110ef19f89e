import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createJsonLogger } from '../logger.js';
import { createServer, type ParleyServer } from '../server.js';

const dir = mkdtempSync(join(tmpdir(), 'parley-static-'));
const consoleDir = join(dir, 'console');
mkdirSync(join(consoleDir, 'sub'), { recursive: true });
writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><title>Console</title>');
writeFileSync(join(consoleDir, 'app.js'), 'console.log(1)');
writeFileSync(join(consoleDir, 'app.css'), 'body{}');
writeFileSync(join(dir, 'secret.txt'), 'outside');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const servers: ParleyServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 50 })));
});

async function start(options: { consoleDir?: string } = { consoleDir }) {
  const server = createServer({ secret: 's'.repeat(40), logger: createJsonLogger({ level: 'silent' }), ...options });
  servers.push(server);
  return (await server.listen(0, '127.0.0.1')).url;
}

/** fetch() normalises `..` away; a raw request sends the path as written, like an attacker would. */
function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { path }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('createServer({ consoleDir })', () => {
  it('serves index.html and assets with their content types, CSP and revalidation', async () => {
    const url = await start();
    const index = await fetch(`${url}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(await index.text()).toContain('<title>Console</title>');
    expect((await fetch(`${url}/console/app.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const css = await fetch(`${url}/console/app.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const again = await fetch(`${url}/console/app.css`, { headers: { 'if-none-match': css.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('redirects /console to /console/ and falls back to index.html for client routes only', async () => {
    const url = await start();
    const bare = await fetch(`${url}/console`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([308, '/console/']);
    const route = await fetch(`${url}/console/history/c_1`);
    expect([route.status, await route.text()]).toEqual([200, '<!doctype html><title>Console</title>']);
    expect((await fetch(`${url}/console/missing.js`)).status).toBe(404);
  });

  it('never serves files outside the directory', async () => {
    const url = await start();
    for (const path of ['/console/../secret.txt', '/console/%2e%2e/secret.txt', '/console/..%2fsecret.txt', '/console/sub/..%2f..%2fsecret.txt', '/console/%2fetc%2fpasswd']) {
      const res = await rawGet(url, path);
      expect([path, res.body]).not.toEqual([path, 'outside']);
      expect(res.body).not.toContain('root:');
    }
    expect((await rawGet(url, '/console/%00')).status).toBe(400);
    expect((await rawGet(url, '/console/%E0%A4%A')).status).toBe(400);
  });

  it('allows only GET and HEAD, and serves nothing at /console without consoleDir', async () => {
    const url = await start();
    expect((await fetch(`${url}/console/`, { method: 'POST' })).status).toBe(405);
    const head = await fetch(`${url}/console/app.js`, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length')]).toEqual([200, '14']);
    const bare = await start({});
    expect((await fetch(`${bare}/console/`)).status).toBe(404);
  });
});
