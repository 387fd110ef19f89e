import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '@parley/protocol';
import { createJsonLogger } from '../logger.js';
import { createServer, type CreateServerOptions, type ParleyServer } from '../server.js';
import type { Storage } from '../storage/storage.js';
import { connectAgent, connectClient, connectVisitor, type TestClient } from '../test-client.js';
import { DATABASE_URL, dropTestSchemas, postgresTestStorage } from '../test-postgres.js';

const silent = createJsonLogger({ level: 'silent' });
const servers: ParleyServer[] = [];
const clients: TestClient[] = [];
const stores: Storage[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 50 })));
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
afterAll(() => dropTestSchemas());

const PASSWORD = 'correct horse battery';

async function start(options: CreateServerOptions = {}) {
  const server = createServer({ secret: 's'.repeat(40), logger: silent, ...options });
  servers.push(server);
  const { url } = await server.listen(0, '127.0.0.1');
  const root = await server.createAgent({ name: 'Root', role: 'admin' });
  const plain = await server.createAgent({ name: 'Plain' });
  return { server, url, admin: root.token, adminId: root.agent.id, plain: plain.token };
}

function call(url: string, method: string, path: string, token: string | undefined, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

describe('/api/admin access', () => {
  it('needs a bearer token (401) and the admin role (403), before revealing routes', async () => {
    const { url, plain } = await start();
    const anonymous = await call(url, 'GET', '/api/admin/agents', undefined);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(await (await call(url, 'GET', '/api/admin/agents', plain)).json()).toMatchObject({ code: 'AUTH_FORBIDDEN' });
    expect((await call(url, 'GET', '/api/admin/nope', plain)).status).toBe(403);
    expect((await call(url, 'GET', '/api/admin/nope', undefined)).status).toBe(401);
  });
});

describe('/api/admin/agents', () => {
  it('creates an agent whose token and password work, lists it, and disables it everywhere', async () => {
    const { url, admin, adminId } = await start();
    const res = await call(url, 'POST', '/api/admin/agents', admin, { name: 'Dora', email: 'Dora@Shop.io', password: PASSWORD });
    expect(res.status).toBe(201);
    const { agent, token } = (await res.json()) as { agent: { id: string; email: string; role: string }; token: string };
    expect(agent).toMatchObject({ email: 'dora@shop.io', role: 'agent' });
    const socket = await connectAgent(url, token);
    clients.push(socket.client);
    const login = await call(url, 'POST', '/api/login', undefined, { email: 'dora@shop.io', password: PASSWORD });
    expect(login.status).toBe(200);
    const session = ((await login.json()) as { token: string }).token;

    const listed = (await (await call(url, 'GET', '/api/admin/agents', admin)).json()) as { site: string; agents: Array<{ name: string; disabled: boolean }> };
    expect(listed.site).toBe('demo');
    expect(listed.agents.map((a) => [a.name, a.disabled])).toEqual([['Root', false], ['Plain', false], ['Dora', false]]);
    expect(JSON.stringify(listed)).not.toMatch(/hash|scrypt/i);

    expect((await call(url, 'POST', `/api/admin/agents/${agent.id}/disable`, admin)).status).toBe(200);
    expect((await call(url, 'GET', '/api/me', session)).status).toBe(401);
    expect((await call(url, 'POST', '/api/login', undefined, { email: 'dora@shop.io', password: PASSWORD })).status).toBe(401);
    const again = await connectClient(url, '/ws/agent');
    clients.push(again);
    const refused = await again.request({ type: 'hello', v: PROTOCOL_VERSION, role: 'agent', token });
    expect(refused).toMatchObject({ type: 'error', code: 'AUTH_INVALID_TOKEN' });
    const after = (await (await call(url, 'GET', '/api/admin/agents', admin)).json()) as { agents: Array<{ name: string; disabled: boolean }> };
    expect(after.agents.find((a) => a.name === 'Dora')?.disabled).toBe(true);

    expect((await call(url, 'POST', `/api/admin/agents/${adminId}/disable`, admin)).status).toBe(403);
    expect((await call(url, 'POST', '/api/admin/agents/a_nope/disable', admin)).status).toBe(404);
  });

  it('refuses bad input with 400 and typed codes', async () => {
    const { url, admin } = await start();
    for (const body of [{}, { name: '' }, { name: 'X', role: 'root' }, { name: 'X', email: 'x@y.z' }, { name: 'X', site: 'nope' }, { name: 7 }]) {
      const res = await call(url, 'POST', '/api/admin/agents', admin, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe('PROTOCOL_BAD_FRAME');
    }
    expect((await call(url, 'GET', '/api/admin/agents?site=nope', admin)).status).toBe(400);
    expect((await call(url, 'DELETE', '/api/admin/agents', admin)).status).toBe(405);
  });
});

describe('/api/admin/sites', () => {
  it('creates, lists and updates sites without ever returning the identity secret', async () => {
    const { url, admin } = await start();
    const secret = 'i'.repeat(40);
    const res = await call(url, 'POST', '/api/admin/sites', admin, { key: 'shop-2', allowedOrigins: ['https://shop2.example'], identitySecret: secret });
    expect(res.status).toBe(201);
    const { site } = (await res.json()) as { site: { id: string; key: string; hasIdentitySecret: boolean } };
    expect(site).toMatchObject({ key: 'shop-2', allowedOrigins: ['https://shop2.example'], requiresIdentity: false, hasIdentitySecret: true });
    const conflict = await call(url, 'POST', '/api/admin/sites', admin, { key: 'shop-2' });
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as { code: string }).code).toBe('STORAGE_CONFLICT');
    for (const bad of [{ key: 'a b' }, { key: 'ok', allowedOrigins: ['https://x.example/path'] }, { key: 'ok', allowedOrigins: ['*', 'https://x.example'] }, { key: 'ok', identitySecret: 'short' }, { key: 'ok', requiresIdentity: true }]) {
      expect((await call(url, 'POST', '/api/admin/sites', admin, bad)).status, JSON.stringify(bad)).toBe(400);
    }
    const list = await (await call(url, 'GET', '/api/admin/sites', admin)).text();
    expect(list).toContain('"shop-2"');
    expect(list).not.toContain(secret);
    const patched = await call(url, 'PATCH', `/api/admin/sites/${site.id}`, admin, { allowedOrigins: ['*'], requiresIdentity: true });
    expect(await patched.json()).toMatchObject({ site: { allowedOrigins: ['*'], requiresIdentity: true, hasIdentitySecret: true } });
    expect((await call(url, 'PATCH', `/api/admin/sites/${site.id}`, admin, { identitySecret: null })).status).toBe(400);
    expect((await call(url, 'PATCH', '/api/admin/sites/site_nope', admin, { requiresIdentity: false })).status).toBe(404);
    // An agent created for the new site belongs to it.
    const created = await call(url, 'POST', '/api/admin/agents', admin, { name: 'Sam', site: 'shop-2' });
    expect(((await created.json()) as { agent: { siteId: string } }).agent.siteId).toBe(site.id);
  });
});

const backends: Array<[string, (() => Promise<Storage>) | undefined]> = [['sqlite', undefined], ['postgres', DATABASE_URL === undefined ? undefined : postgresTestStorage]];
describe.each(backends)('/api/admin/visitors on %s', (backend, makeStorage) => {
  it.skipIf(backend === 'postgres' && makeStorage === undefined)('exports everything about a visitor, then erases it', async () => {
    const storage = makeStorage === undefined ? undefined : await makeStorage();
    if (storage !== undefined) stores.push(storage);
    const { url, admin } = await start(storage === undefined ? {} : { storage });
    const v = await connectVisitor(url);
    clients.push(v.client);
    const visitorId = (v.welcome as { subjectId: string }).subjectId;
    const started = await v.client.request({ type: 'conversation.start', clientId: 's1', profile: { name: 'Ada', email: 'ada@x.io' } });
    const conversationId = (started as { conversation: { id: string } }).conversation.id;
    for (let i = 1; i <= 3; i++) await v.client.request({ type: 'message.send', conversationId, clientId: `m${i}`, text: `message ${i}` });
    await v.client.request({ type: 'visitor.page', conversationId, url: 'https://shop.example/cart', title: 'Cart' });
    await v.client.request({ type: 'rating.submit', conversationId, score: 4, comment: 'ok' });

    const exported = await call(url, 'GET', `/api/admin/visitors/${visitorId}/export`, admin);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toContain('attachment');
    const data = (await exported.json()) as { format: string; visitor: { id: string }; conversations: Array<{ id: string; profile: unknown; pages: unknown[]; rating: unknown; messages: Array<{ text: string }> }> };
    expect(data.format).toBe('parley.visitor-export.v1');
    expect(data.visitor.id).toBe(visitorId);
    expect(data.conversations).toHaveLength(1);
    expect(data.conversations[0]).toMatchObject({ id: conversationId, profile: { name: 'Ada', email: 'ada@x.io' }, rating: { score: 4, comment: 'ok' } });
    expect(data.conversations[0]!.pages).toHaveLength(1);
    expect(data.conversations[0]!.messages.map((m) => m.text)).toEqual(['message 1', 'message 2', 'message 3']);

    const erased = await call(url, 'DELETE', `/api/admin/visitors/${visitorId}`, admin);
    expect(await erased.json()).toEqual({ erased: { conversations: 1, messages: 3, attachmentUrls: [] } });
    // The visitor's open socket is closed with 4001, like a revoked token.
    expect((await v.client.closed).code).toBe(4001);
    expect((await call(url, 'GET', `/api/admin/visitors/${visitorId}/export`, admin)).status).toBe(404);
    expect((await call(url, 'GET', `/api/conversations/${conversationId}`, admin)).status).toBe(404);
    expect((await call(url, 'DELETE', `/api/admin/visitors/${visitorId}`, admin)).status).toBe(404);
    // The visitor's token no longer opens a session.
    const back = await connectClient(url, '/ws/visitor');
    clients.push(back);
    const hello = await back.request({ type: 'hello', v: PROTOCOL_VERSION, role: 'visitor', token: (v.welcome as { token: string }).token });
    expect(hello).toMatchObject({ type: 'error', code: 'AUTH_INVALID_TOKEN' });
  });
});

describe('erasure and attachment files', () => {
  it('hands the erased attachment URLs to deleteAttachments, and reports a failure without failing the erasure', async () => {
    // A real file store: attachment URLs map to files in a directory.
    const store = mkdtempSync(join(tmpdir(), 'parley-files-'));
    const fileFor = (url: string) => join(store, basename(new URL(url).pathname));
    let isBroken = false;
    const { url, admin, server } = await start({
      deleteAttachments: async (urls) => {
        if (isBroken) throw new Error('file store down');
        for (const u of urls) rmSync(fileFor(u));
      },
    });
    try {
      const seed = async (name: string) => {
        writeFileSync(join(store, name), 'png');
        const site = await server.storage.getDefaultSite();
        const visitor = await server.storage.createVisitor(site.id);
        const { conversation } = await server.storage.startConversation({ siteId: site.id, visitorId: visitor.id, clientId: 's' });
        await server.storage.appendMessage({
          conversationId: conversation.id,
          clientId: 'm',
          author: { role: 'visitor', id: visitor.id },
          kind: 'text',
          text: 'see file',
          attachments: [{ name, mime: 'image/png', size: 3, url: `https://files.example/u/${name}` }],
        });
        return visitor.id;
      };
      const ada = await seed('ada.png');
      const res = await call(url, 'DELETE', `/api/admin/visitors/${ada}`, admin);
      expect(await res.json()).toEqual({ erased: { conversations: 1, messages: 1, attachmentUrls: ['https://files.example/u/ada.png'], attachmentsDeleted: true } });
      expect(existsSync(join(store, 'ada.png'))).toBe(false);

      isBroken = true;
      const bob = await seed('bob.png');
      const failed = await call(url, 'DELETE', `/api/admin/visitors/${bob}`, admin);
      expect(failed.status).toBe(200);
      expect(await failed.json()).toMatchObject({ erased: { conversations: 1, attachmentsDeleted: false } });
      expect(await server.storage.getVisitor(bob)).toBeUndefined();
      expect(existsSync(join(store, 'bob.png'))).toBe(true);
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
  });
});
