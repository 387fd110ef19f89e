// Site settings (business hours, theme), the per-site FAQ over the admin API, and what the public may read:
// `/api/sites/:key/public` and `/faq/:key.json`. A real server, on SQLite and (with DATABASE_URL) Postgres.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadCompiled, decide } from '@parley/faq/runtime';
import { createJsonLogger } from '../logger.js';
import { createServer, type CreateServerOptions, type ParleyServer } from '../server.js';
import { createSqliteStorage } from '../storage/sqlite.js';
import type { Storage } from '../storage/storage.js';
import { createPublicSiteHandler, MAX_PUBLIC_CONFIG_BYTES } from './public-site.js';
import { DATABASE_URL, dropTestSchemas, postgresTestStorage } from '../test-postgres.js';

const silent = createJsonLogger({ level: 'silent' });
const servers: ParleyServer[] = [];
const stores: Storage[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 50 })));
  await Promise.all(stores.splice(0).map((s) => s.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
afterAll(() => dropTestSchemas());

const FAQ = `# Shop help

synonyms: parcel, package

## How long does delivery take?
id: delivery-time
also:
- When will my parcel arrive?
Standard delivery takes 3–5 working days.

## Can I return an item?
id: returns
Yes, within 30 days.
`;

async function start(makeStorage: (() => Promise<Storage>) | undefined, options: CreateServerOptions = {}) {
  const storage = makeStorage === undefined ? undefined : await makeStorage();
  if (storage !== undefined) stores.push(storage);
  const server = createServer({ secret: 's'.repeat(40), logger: silent, ...(storage === undefined ? {} : { storage }), ...options });
  servers.push(server);
  const { url } = await server.listen(0, '127.0.0.1');
  const admin = (await server.createAgent({ name: 'Root', role: 'admin' })).token;
  const plain = (await server.createAgent({ name: 'Plain' })).token;
  return { server, url, admin, plain };
}

function call(url: string, method: string, path: string, token: string | undefined, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

const backends: Array<[string, (() => Promise<Storage>) | undefined]> = [['sqlite', undefined], ['postgres', DATABASE_URL === undefined ? undefined : () => postgresTestStorage()]];

describe.each(backends)('site settings and FAQ on %s', (backend, makeStorage) => {
  const skip = backend === 'postgres' && makeStorage === undefined;

  it.skipIf(skip)('sets business hours and theme, shows them to admins and the public, and removes them with null', async () => {
    const { url, admin } = await start(makeStorage);
    const hours = { timezone: 'Europe/Lisbon', days: [{ day: 5, open: '10:00', close: '16:00' }, { day: 1, open: '09:00', close: '17:30' }] };
    const created = await call(url, 'POST', '/api/admin/sites', admin, { key: 'north', allowedOrigins: ['https://north.example'], identitySecret: 'k'.repeat(32), theme: { color: '#00AA77', position: 'left', greeting: '  Hi there!  ' } });
    expect(created.status).toBe(201);
    const { site } = (await created.json()) as { site: { id: string } };
    const patched = await call(url, 'PATCH', `/api/admin/sites/${site.id}`, admin, { businessHours: hours });
    expect(await patched.json()).toEqual({
      site: {
        id: site.id,
        key: 'north',
        allowedOrigins: ['https://north.example'],
        requiresIdentity: false,
        hasIdentitySecret: true,
        // Days come back in weekday order; the colour lower-cased; the greeting trimmed.
        businessHours: { timezone: 'Europe/Lisbon', days: [hours.days[1], hours.days[0]] },
        theme: { color: '#00aa77', position: 'left', greeting: 'Hi there!' },
        ratingScale: 'csat',
        preChat: [],
      },
    });

    const pub = await fetch(`${url}/api/sites/north/public`, { headers: { origin: 'https://elsewhere.example' } });
    expect(pub.status).toBe(200);
    expect(pub.headers.get('access-control-allow-origin')).toBe('*');
    const text = await pub.text();
    expect(JSON.parse(text)).toEqual({
      key: 'north',
      theme: { color: '#00aa77', position: 'left', greeting: 'Hi there!' },
      businessHours: { timezone: 'Europe/Lisbon', days: [hours.days[1], hours.days[0]] },
      isOpen: expect.any(Boolean),
      ratingScale: 'csat',
      preChat: [],
      transcriptEmail: false,
    });
    expect(text).not.toMatch(/kkkk|identity|origin/i);
    const etag = pub.headers.get('etag')!;
    expect((await fetch(`${url}/api/sites/north/public`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(`${url}/api/sites/nope/public`)).status).toBe(404);
    expect((await fetch(`${url}/api/sites/north/public`, { method: 'POST' })).status).toBe(405);

    const cleared = await call(url, 'PATCH', `/api/admin/sites/${site.id}`, admin, { businessHours: null, theme: null });
    const after = ((await cleared.json()) as { site: Record<string, unknown> }).site;
    expect(after.businessHours).toBeUndefined();
    expect(after.theme).toBeUndefined();
    expect(await (await fetch(`${url}/api/sites/north/public`)).json()).toEqual({ key: 'north', isOpen: true, ratingScale: 'csat', preChat: [], transcriptEmail: false });
  });

  it.skipIf(skip)('gives the widget its site config: scale, pre-chat form, e-mail offer, open now by the hours; small and cacheable', async () => {
    // Monday 2026-11-23 10:00 in Lisbon (UTC in November).
    let at = Date.UTC(2026, 10, 23, 10, 0);
    const { url, admin } = await start(makeStorage, { now: () => at, mail: { smtpUrl: 'smtp://127.0.0.1:9', from: 'help@shop.example' } });
    const created = await call(url, 'POST', '/api/admin/sites', admin, {
      key: 'widget-shop',
      ratingScale: 'nps',
      preChat: ['email', 'name'],
      businessHours: { timezone: 'Europe/Lisbon', days: [{ day: 1, open: '09:00', close: '17:00' }] },
      theme: { greeting: 'é'.repeat(500), color: '#123456', position: 'left' },
    });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { site: { preChat: string[] } }).site.preChat).toEqual(['email', 'name']);
    const read = () => fetch(`${url}/api/sites/widget-shop/public`);
    const open = await read();
    const text = await open.text();
    expect(JSON.parse(text)).toMatchObject({ key: 'widget-shop', isOpen: true, ratingScale: 'nps', preChat: ['email', 'name'], transcriptEmail: true });
    // The largest greeting there can be, in two-byte characters, with hours: still far under the bound.
    expect(Buffer.byteLength(text)).toBeLessThan(MAX_PUBLIC_CONFIG_BYTES / 2);
    const etag = open.headers.get('etag')!;
    expect((await fetch(`${url}/api/sites/widget-shop/public`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    // Sunday: closed now, and the answer changes (so does its ETag).
    at = Date.UTC(2026, 10, 22, 10, 0);
    const closed = await read();
    expect(await closed.json()).toMatchObject({ isOpen: false });
    expect(closed.headers.get('etag')).not.toBe(etag);
  });

  it.skipIf(skip)('refuses bad hours and themes with 400 PROTOCOL_BAD_FRAME naming the field, changing nothing', async () => {
    const { url, admin } = await start(makeStorage);
    const demo = ((await (await call(url, 'GET', '/api/admin/sites', admin)).json()) as { sites: Array<{ id: string; key: string }> }).sites.find((s) => s.key === 'demo')!;
    const cases: Array<[unknown, RegExp]> = [
      [{ businessHours: { timezone: 'Mars/Olympus', days: [] } }, /timezone/],
      [{ ratingScale: 'stars' }, /ratingScale/],
      [{ preChat: ['phone'] }, /preChat/],
      [{ preChat: ['name', 'name'] }, /preChat/],
      [{ preChat: 'name' }, /preChat/],
      [{ businessHours: { timezone: 'UTC', days: [{ day: 7, open: '09:00', close: '10:00' }] } }, /day/],
      [{ businessHours: { timezone: 'UTC', days: [{ day: 1, open: '9am', close: '10:00' }] } }, /times like/],
      [{ businessHours: { timezone: 'UTC', days: [{ day: 1, open: '18:00', close: '09:00' }] } }, /before close/],
      [{ businessHours: { timezone: 'UTC', days: [{ day: 1, open: '09:00', close: '10:00' }, { day: 1, open: '11:00', close: '12:00' }] } }, /twice/],
      [{ businessHours: 'always' }, /businessHours/],
      [{ theme: { color: 'red' } }, /color/],
      [{ theme: { color: '#abc', position: 'top' } }, /position/],
      [{ theme: { greeting: 'x'.repeat(501) } }, /greeting/],
      [{ theme: { font: 'Comic Sans' } }, /unknown fields: font/],
    ];
    for (const [body, message] of cases) {
      const res = await call(url, 'PATCH', `/api/admin/sites/${demo.id}`, admin, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const error = (await res.json()) as { code: string; message: string };
      expect(error.code).toBe('PROTOCOL_BAD_FRAME');
      expect(error.message).toMatch(message);
    }
    expect(await (await fetch(`${url}/api/sites/demo/public`)).json()).toEqual({ key: 'demo', isOpen: true, ratingScale: 'csat', preChat: [], transcriptEmail: false });
  });

  it.skipIf(skip)('saves a valid FAQ, refuses an invalid one with every problem and its line, and serves it compiled for the widget', async () => {
    const { url, admin, plain } = await start(makeStorage);
    expect(await (await call(url, 'GET', '/api/admin/sites/demo/faq', admin)).json()).toEqual({ site: 'demo', source: '', updatedAt: null, publicUrl: '/faq/demo.json' });
    expect((await call(url, 'GET', '/api/admin/sites/demo/faq', plain)).status).toBe(403);
    expect((await call(url, 'PUT', '/api/admin/sites/demo/faq', plain, { source: FAQ })).status).toBe(403);
    expect((await fetch(`${url}/faq/demo.json`)).status).toBe(404);

    const saved = await call(url, 'PUT', '/api/admin/sites/demo/faq', admin, { source: FAQ });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toMatchObject({ site: 'demo', source: FAQ, entries: 2, publicUrl: '/faq/demo.json' });

    const broken = `${FAQ}\n## Where is my order?\nlink: ftp://nope.example\n\n## Where is my order?\n`;
    const refused = await call(url, 'PUT', '/api/admin/sites/demo/faq', admin, { source: broken });
    expect(refused.status).toBe(400);
    const error = (await refused.json()) as { code: string; message: string; problems: Array<{ line: number; message: string }> };
    expect(error.code).toBe('PROTOCOL_BAD_FRAME');
    const brokenLines = broken.split('\n');
    expect(error.problems.length).toBeGreaterThanOrEqual(2);
    for (const problem of error.problems) expect(problem.line).toBeGreaterThanOrEqual(15);
    expect(error.problems.some((p) => brokenLines[p.line - 1]!.startsWith('link:'))).toBe(true);
    expect(error.message).toMatch(/^the FAQ has errors: line \d+/);
    for (const [body, status] of [[{}, 400], [{ source: 7 }, 400], [{ source: '# only a title\n' }, 400], [{ source: 'x'.repeat(300 * 1024) }, 400], [{ source: 'x'.repeat(600 * 1024) }, 413]] as const) {
      expect((await call(url, 'PUT', '/api/admin/sites/demo/faq', admin, body)).status, JSON.stringify(body).slice(0, 40)).toBe(status);
    }
    expect((await call(url, 'PUT', '/api/admin/sites/nope/faq', admin, { source: FAQ })).status).toBe(404);
    // Nothing refused replaced what was saved.
    expect(((await (await call(url, 'GET', '/api/admin/sites/demo/faq', admin)).json()) as { source: string }).source).toBe(FAQ);

    const served = await fetch(`${url}/faq/demo.json`, { headers: { origin: 'https://shop.example' } });
    expect(served.status).toBe(200);
    expect(served.headers.get('access-control-allow-origin')).toBe('*');
    expect(served.headers.get('content-type')).toMatch(/^application\/json/);
    const index = loadCompiled(await served.text());
    const decision = decide(index, 'when will my package arrive', []);
    expect(decision).toMatchObject({ kind: 'answer', entryId: 'delivery-time' });
    expect((await fetch(`${url}/faq/demo.json`, { headers: { 'if-none-match': served.headers.get('etag')! } })).status).toBe(304);
    expect(await (await fetch(`${url}/api/sites/demo/public`)).json()).toEqual({ key: 'demo', isOpen: true, ratingScale: 'csat', preChat: [], transcriptEmail: false, faqUrl: '/faq/demo.json' });
  });
});

describe('/faq/:key.json beside an asset folder', () => {
  it('serves the file until the site has a saved FAQ, then the saved one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-faq-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'demo.json'), '{"from":"file"}');
    writeFileSync(join(dir, 'other.json'), '{"other":true}');
    const { url, admin } = await start(undefined, { assetDirs: { '/faq/': dir } });
    expect(await (await fetch(`${url}/faq/demo.json`)).json()).toEqual({ from: 'file' });
    await call(url, 'PUT', '/api/admin/sites/demo/faq', admin, { source: FAQ });
    const saved = (await (await fetch(`${url}/faq/demo.json`)).json()) as { format: string };
    expect(saved.format).toBe('parley-faq-compiled');
    // Other files in the folder (no such site) are still the folder's.
    expect(await (await fetch(`${url}/faq/other.json`)).json()).toEqual({ other: true });
    expect((await fetch(`${url}/faq/..%2Fsecret.json`)).status).toBe(404);
  });
});

describe('public site endpoints: rate limit', () => {
  it('answers 429 RATE_LIMITED with Retry-After once an address spent its burst, for config and FAQ alike', async () => {
    const storage = createSqliteStorage({ path: ':memory:' });
    stores.push(storage);
    const handler = createPublicSiteHandler({ storage, logger: silent, rate: { perSecond: 0.001, burst: 3 } });
    const http = createHttpServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (handler.ownsConfigPath(path)) void handler.serveConfig(req, res, path);
      else void handler.serveFaq(req, res, path).then((served) => (served ? undefined : res.writeHead(404).end()));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      expect((await fetch(`${base}/api/sites/demo/public`)).status).toBe(200);
      expect((await fetch(`${base}/api/sites/nope/public`)).status).toBe(404);
      expect((await fetch(`${base}/faq/demo.json`)).status).toBe(404);
      const limited = await fetch(`${base}/faq/demo.json`);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('5');
      expect(((await limited.json()) as { code: string }).code).toBe('RATE_LIMITED');
      expect((await fetch(`${base}/api/sites/demo/public`)).status).toBe(429);
    } finally {
      await new Promise((resolve) => http.close(resolve));
    }
  });
});
