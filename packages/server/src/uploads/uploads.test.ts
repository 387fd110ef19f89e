import { request as httpRequest } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Attachment } from '@parley/protocol';
import { createJsonLogger } from '../logger.js';
import { createServer, type CreateServerOptions, type ParleyServer } from '../server.js';
import { connectAgent, connectVisitor, type TestClient } from '../test-client.js';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(40, 7)]);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

const servers: ParleyServer[] = [];
const clients: TestClient[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 50 })));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(options: CreateServerOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-uploads-test-'));
  dirs.push(dir);
  const server = createServer({ secret: 's'.repeat(40), logger: createJsonLogger({ level: 'silent' }), ...options, uploads: { dir, ...options.uploads } });
  servers.push(server);
  const { url } = await server.listen(0, '127.0.0.1');
  return { server, url, dir };
}

async function visitor(url: string) {
  const v = await connectVisitor(url);
  clients.push(v.client);
  const token = (v.welcome as { token: string }).token;
  const started = await v.client.request({ type: 'conversation.start', clientId: 'c1' });
  const conversationId = (started as { conversation: { id: string } }).conversation.id;
  return { ...v, token, conversationId, visitorId: (v.welcome as { subjectId: string }).subjectId };
}

function upload(url: string, body: Buffer, type: string, name: string, token?: string) {
  return fetch(`${url}/api/uploads`, {
    method: 'POST',
    body: new Uint8Array(body),
    headers: { 'content-type': type, 'x-parley-filename': encodeURIComponent(name), ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
  });
}

const filesIn = (dir: string) => readdirSync(dir).sort();

describe('uploads', () => {
  it('stores an image and a PDF, sends them as attachments, and serves them so a browser cannot run them', async () => {
    const { url, dir } = await start();
    const v = await visitor(url);
    const image = await upload(url, PNG, 'image/png', 'photo of ünïcode.png', v.token);
    expect(image.status).toBe(201);
    const png = ((await image.json()) as { attachment: Attachment }).attachment;
    expect(png).toMatchObject({ name: 'photo of ünïcode.png', mime: 'image/png', size: PNG.length });
    expect(png.url).toMatch(new RegExp(`^${url}/uploads/[A-Za-z0-9_-]{24}$`));
    const doc = ((await (await upload(url, PDF, 'application/pdf', '../../etc/invoice.pdf', v.token)).json()) as { attachment: Attachment }).attachment;
    expect(doc.name).toBe('invoice.pdf');

    // The client's claim about size and type is replaced by the server's record.
    const ack = await v.client.request({ type: 'message.send', conversationId: v.conversationId, clientId: 'm1', text: '', attachments: [{ ...png, size: 1 }, { ...doc, mime: 'image/png' }] });
    expect(ack.type).toBe('message.ack');
    const echoed = await v.client.next((f) => f.type === 'message.new');
    expect((echoed as { message: { attachments: Attachment[] } }).message.attachments).toEqual([png, doc]);

    const served = await fetch(png.url, { headers: { origin: 'https://shop.example' } });
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(PNG);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(served.headers.get('content-security-policy')).toContain('sandbox');
    expect(served.headers.get('content-disposition')).toMatch(/^inline/);
    expect(served.headers.get('access-control-allow-origin')).toBe('*');
    const pdf = await fetch(doc.url);
    expect(pdf.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''invoice.pdf");
    expect(Buffer.from(await pdf.arrayBuffer())).toEqual(PDF);
    expect(filesIn(dir)).toHaveLength(4);
  });

  it('accepts an agent token too, and answers a preflight for the widget origin', async () => {
    const { server, url } = await start({ allowedOrigins: ['https://shop.example'] });
    const { token } = await server.createAgent({ name: 'Ana' });
    const res = await upload(url, Buffer.from('a,b\n1,2\n'), 'text/csv', 'rows.csv', token);
    expect(res.status).toBe(201);
    const csv = ((await res.json()) as { attachment: Attachment }).attachment;
    expect(csv.mime).toBe('text/csv');
    const agent = await connectAgent(url, token);
    clients.push(agent.client);
    const preflight = await fetch(`${url}/api/uploads`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-parley-filename');
    const other = await fetch(`${url}/api/uploads`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect((await fetch(csv.url)).headers.get('content-type')).toBe('text/csv; charset=utf-8');
  });

  it('refuses uploads without a valid token in the Authorization header', async () => {
    const { url, dir } = await start();
    const v = await visitor(url);
    const none = await upload(url, PNG, 'image/png', 'a.png');
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ code: 'AUTH_INVALID_TOKEN' });
    const inQuery = await fetch(`${url}/api/uploads?token=${encodeURIComponent(v.token)}`, { method: 'POST', body: new Uint8Array(PNG), headers: { 'content-type': 'image/png' } });
    expect(inQuery.status).toBe(401);
    expect((await upload(url, PNG, 'image/png', 'a.png', `${v.token}x`)).status).toBe(401);
    expect(filesIn(dir)).toEqual([]);
  });

  it('refuses a file over the size limit with 413, also when the body has no length, and keeps nothing', async () => {
    const { url, dir } = await start({ uploads: { maxBytes: 1024 } });
    const v = await visitor(url);
    const big = Buffer.concat([PNG, Buffer.alloc(2000)]);
    const declared = await upload(url, big, 'image/png', 'big.png', v.token);
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ code: 'ATTACHMENT_TOO_LARGE' });
    // Chunked: the limit is found while streaming.
    const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${url}/api/uploads`, { method: 'POST', headers: { authorization: `Bearer ${v.token}`, 'content-type': 'image/png', 'transfer-encoding': 'chunked' } }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += String(d)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write(PNG);
      const more = () => {
        if (!req.destroyed && !req.writableEnded) req.write(Buffer.alloc(512), (err) => (err === undefined || err === null ? setTimeout(more, 5) : undefined));
      };
      more();
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body)).toMatchObject({ code: 'ATTACHMENT_TOO_LARGE' });
    await expect.poll(() => filesIn(dir)).toEqual([]);
    // Right at the limit is fine.
    expect((await upload(url, Buffer.concat([PNG, Buffer.alloc(1024 - PNG.length)]), 'image/png', 'ok.png', v.token)).status).toBe(201);
  });

  it('decides the type from the bytes: disguised, unknown and SVG files are refused with 415', async () => {
    const { url, dir } = await start({ uploads: { allowedTypes: ['image/png', 'application/pdf', 'text/plain'] } });
    const v = await visitor(url);
    const refused = async (body: Buffer, type: string, name: string) => {
      const res = await upload(url, body, type, name, v.token);
      expect(res.status).toBe(415);
      expect(await res.json()).toMatchObject({ code: 'ATTACHMENT_TYPE_REFUSED' });
    };
    await refused(PDF, 'image/png', 'fake.png');
    await refused(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'image/svg+xml', 'x.svg');
    await refused(Buffer.from('MZ\x90\x00binary'), 'application/octet-stream', 'setup.exe');
    await refused(Buffer.from([0x61, 0x00, 0x62]), 'text/plain', 'nul.txt');
    await refused(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), 'image/jpeg', 'not-allowed.jpg');
    await refused(Buffer.alloc(0), 'text/plain', 'empty.txt');
    expect(filesIn(dir)).toEqual([]);
    expect((await upload(url, Buffer.from('héllo\n'), 'text/plain', 'note.txt', v.token)).status).toBe(201);
  });

  it('refuses attachments this server did not issue to the sender', async () => {
    const { url } = await start();
    const v = await visitor(url);
    const other = await visitor(url);
    const mine = ((await (await upload(url, PNG, 'image/png', 'a.png', v.token)).json()) as { attachment: Attachment }).attachment;
    const id = mine.url.split('/').pop()!;
    const send = (client: TestClient, conversationId: string, attachment: Attachment) =>
      client.request({ type: 'message.send', conversationId, clientId: `m${Math.random()}`, text: 'look', attachments: [attachment] });
    for (const foreign of [`https://evil.example/uploads/${id}`, 'https://evil.example/cat.png', `${url}/uploads/${'A'.repeat(24)}`, 'javascript:alert(1)']) {
      const refused = await send(v.client, v.conversationId, { ...mine, url: foreign });
      expect(refused).toMatchObject({ type: 'error', code: 'ATTACHMENT_URL_REFUSED' });
    }
    // Another visitor's upload is not theirs to send.
    expect(await send(other.client, other.conversationId, mine)).toMatchObject({ type: 'error', code: 'ATTACHMENT_URL_REFUSED' });
    expect((await send(v.client, v.conversationId, mine)).type).toBe('message.ack');
  });

  it('rate-limits uploads per sender', async () => {
    const { url } = await start({ uploads: { rate: { perSecond: 0.01, burst: 2 } } });
    const v = await visitor(url);
    expect((await upload(url, PNG, 'image/png', 'a.png', v.token)).status).toBe(201);
    expect((await upload(url, PNG, 'image/png', 'b.png', v.token)).status).toBe(201);
    const third = await upload(url, PNG, 'image/png', 'c.png', v.token);
    expect(third.status).toBe(429);
    expect(await third.json()).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('deletes the files when the visitor is erased', async () => {
    const { server, url, dir } = await start();
    const { token: admin } = await server.createAgent({ name: 'Root', role: 'admin' });
    const v = await visitor(url);
    const png = ((await (await upload(url, PNG, 'image/png', 'a.png', v.token)).json()) as { attachment: Attachment }).attachment;
    expect((await v.client.request({ type: 'message.send', conversationId: v.conversationId, clientId: 'm1', text: 'see', attachments: [png] })).type).toBe('message.ack');
    const stored = png.url.split('/').pop()!;
    expect(existsSync(join(dir, stored))).toBe(true);
    const erased = await fetch(`${url}/api/admin/visitors/${v.visitorId}`, { method: 'DELETE', headers: { authorization: `Bearer ${admin}` } });
    expect(await erased.json()).toEqual({ erased: { conversations: 1, messages: 1, attachmentUrls: [png.url], attachmentsDeleted: true } });
    expect(existsSync(join(dir, stored))).toBe(false);
    expect(filesIn(dir)).toEqual([]);
    expect((await fetch(png.url)).status).toBe(404);
  });
});
