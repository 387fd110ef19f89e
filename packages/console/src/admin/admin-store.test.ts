// The admin store and its REST client against a real server (port 0, SQLite :memory:).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJsonLogger, createServer, type ParleyServer } from '@parley/server';
import { createAdminApi } from './admin-api.js';
import { createAdminStore, type AdminStore } from './admin-store.js';

let server: ParleyServer;
let url: string;
let adminToken: string;
let agentToken: string;
beforeAll(async () => {
  server = createServer({ secret: 's'.repeat(40), logger: createJsonLogger({ level: 'silent' }) });
  ({ url } = await server.listen(0, '127.0.0.1'));
  adminToken = (await server.createAgent({ name: 'Ada Admin', role: 'admin' })).token;
  agentToken = (await server.createAgent({ name: 'Sam Agent' })).token;
});
afterAll(() => server.close({ graceMs: 50 }));

const storeFor = (token: string | undefined): AdminStore => createAdminStore({ api: createAdminApi({ baseUrl: url }), getToken: () => token });

describe('admin store: agents', () => {
  it('lists, creates (who can then log in) and disables agents', async () => {
    const store = storeFor(adminToken);
    await store.getState().loadAgents();
    expect(store.getState().agents.list.map((a) => a.name)).toEqual(['Ada Admin', 'Sam Agent']);

    expect(await store.getState().createAgent({ name: 'Dora', email: 'dora@shop.io', password: 'correct horse', role: 'agent' })).toBe(true);
    const dora = store.getState().agents.list.find((a) => a.name === 'Dora')!;
    expect(dora).toMatchObject({ email: 'dora@shop.io', role: 'agent', disabled: false });
    expect(store.getState().notice).toBe('Agent Dora created.');
    const login = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'dora@shop.io', password: 'correct horse' }) });
    expect(login.status).toBe(200);

    expect(await store.getState().createAgent({ name: 'Dup', email: 'dora@shop.io', password: 'correct horse', role: 'agent' })).toBe(false);
    expect(store.getState().agents.error).toMatch(/e-mail/i);

    await store.getState().disableAgent(dora.id);
    expect(store.getState().agents.list.find((a) => a.id === dora.id)!.disabled).toBe(true);
    const fresh = storeFor(adminToken);
    await fresh.getState().loadAgents();
    expect(fresh.getState().agents.list.find((a) => a.id === dora.id)!.disabled).toBe(true);
  });

  it('shows the server’s refusal to a non-admin, and a missing session', async () => {
    const store = storeFor(agentToken);
    await store.getState().loadAgents();
    expect(store.getState().agents).toMatchObject({ isLoading: false, list: [], error: 'this needs an admin' });
    const signedOut = storeFor(undefined);
    await signedOut.getState().loadSites();
    expect(signedOut.getState().sites.error).toBe('Sign in again.');
  });
});

describe('admin store: sites', () => {
  it('creates a site and saves origins, identity, business hours and theme; refusals keep the list as it was', async () => {
    const store = storeFor(adminToken);
    await store.getState().loadSites();
    expect(store.getState().sites.list.map((s) => s.key)).toContain('demo');
    expect(await store.getState().createSite({ key: 'north', allowedOrigins: ['https://north.example'] })).toBe(true);
    const north = store.getState().sites.list.find((s) => s.key === 'north')!;

    const hours = { timezone: 'Europe/Lisbon', days: [{ day: 1, open: '09:00', close: '17:00' }] };
    expect(
      await store.getState().updateSite(north.id, {
        allowedOrigins: ['https://north.example', 'https://www.north.example'],
        identitySecret: 'x'.repeat(32),
        requiresIdentity: true,
        businessHours: hours,
        theme: { color: '#0a7', position: 'left', greeting: 'Hello from North' },
      }),
    ).toBe(true);
    expect(store.getState().sites.list.find((s) => s.id === north.id)).toEqual({
      id: north.id,
      key: 'north',
      allowedOrigins: ['https://north.example', 'https://www.north.example'],
      requiresIdentity: true,
      hasIdentitySecret: true,
      businessHours: hours,
      theme: { color: '#0a7', position: 'left', greeting: 'Hello from North' },
      ratingScale: 'csat',
      preChat: [],
    });
    expect(await (await fetch(`${url}/api/sites/north/public`)).json()).toMatchObject({ key: 'north', businessHours: hours, theme: { color: '#0a7', position: 'left', greeting: 'Hello from North' } });

    const before = store.getState().sites.list;
    expect(await store.getState().updateSite(north.id, { allowedOrigins: ['https://north.example/shop'] })).toBe(false);
    expect(store.getState().sites.error).toMatch(/should be written "https:\/\/north.example"/);
    expect(await store.getState().updateSite(north.id, { businessHours: { timezone: 'Nowhere/Land', days: [] } })).toBe(false);
    expect(store.getState().sites.error).toMatch(/timezone/);
    expect(store.getState().sites.list).toEqual(before);
  });
});

describe('admin store: FAQ', () => {
  it('loads, refuses an invalid save with line-numbered problems, saves a valid one the widget can load', async () => {
    const store = storeFor(adminToken);
    await store.getState().loadFaq('demo');
    expect(store.getState().faq).toMatchObject({ siteKey: 'demo', saved: '', draft: '', updatedAt: null, publicUrl: '/faq/demo.json' });

    store.getState().setFaqDraft('## Where is my order?\nlink: ftp://nope\nSoon.\n');
    expect(await store.getState().saveFaq()).toBe(false);
    expect(store.getState().faq.problems).toEqual([expect.objectContaining({ line: 2, message: expect.stringMatching(/link/) })]);
    expect(store.getState().notice).toBe('Not saved: the FAQ has 1 error.');
    expect(store.getState().faq.saved).toBe('');

    const valid = '## Where is my order?\nid: track\nIt ships in two days.\n';
    store.getState().setFaqDraft(valid);
    expect(await store.getState().saveFaq()).toBe(true);
    expect(store.getState().faq).toMatchObject({ saved: valid, draft: valid, problems: [] });
    expect(store.getState().faq.updatedAt).toEqual(expect.any(Number));
    expect(store.getState().notice).toBe('FAQ saved: 1 entries.');
    const served = (await (await fetch(`${url}/faq/demo.json`)).json()) as { entries: Array<{ id: string }> };
    expect(served.entries.map((e) => e.id)).toEqual(['track']);

    const reloaded = storeFor(adminToken);
    await reloaded.getState().loadFaq('demo');
    expect(reloaded.getState().faq.saved).toBe(valid);
    await reloaded.getState().loadFaq('nope');
    expect(reloaded.getState().faq.error).toBe('no such site');
  });
});
