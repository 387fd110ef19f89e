// @vitest-environment jsdom
// The admin screens through the real admin store and a real server (port 0, SQLite :memory:): what an admin
// types reaches the server, and what the server refuses is shown.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { createJsonLogger, createServer, type ParleyServer } from '@parley/server';
import { createAdminApi } from '../admin/admin-api.js';
import { createAdminStore } from '../admin/admin-store.js';
import { AdminStoreContext } from '../admin/use-admin.js';
import { StoreContext } from '../hooks/use-store.js';
import { AGENT, fakeApi, makeStore } from '../test-support/fakes.js';
import { App } from './App.js';
import { AgentsScreen } from './AgentsScreen.js';
import { FaqScreen } from './FaqScreen.js';
import { SitesScreen } from './SitesScreen.js';

let server: ParleyServer;
let url: string;
let token: string;
let root: HTMLElement;
beforeAll(async () => {
  server = createServer({ secret: 's'.repeat(40), logger: createJsonLogger({ level: 'silent' }) });
  ({ url } = await server.listen(0, '127.0.0.1'));
  token = (await server.createAgent({ name: 'Ada Admin', role: 'admin' })).token;
});
afterAll(() => server.close({ graceMs: 50 }));
afterEach(() => {
  render(null, root);
  root.remove();
});

async function mount(Screen: () => preact.JSX.Element) {
  const console = makeStore();
  const admin = createAdminStore({ api: createAdminApi({ baseUrl: url }), getToken: () => token });
  root = document.createElement('div');
  document.body.append(root);
  await act(() => {
    render(
      <StoreContext.Provider value={console.store}>
        <AdminStoreContext.Provider value={admin}>
          <Screen />
        </AdminStoreContext.Provider>
      </StoreContext.Provider>,
      root,
    );
  });
  return { el: root, admin };
}

/** Polls (inside act) until `check` passes; the server answers asynchronously. */
async function until(check: () => void, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await act(() => new Promise((r) => setTimeout(r, 20)));
    }
  }
}

const byLabel = (el: HTMLElement, text: string) => {
  const label = [...el.querySelectorAll('label')].find((l) => l.textContent === text);
  if (label === undefined) throw new Error(`no label "${text}"`);
  return document.getElementById(label.htmlFor) as HTMLInputElement & HTMLTextAreaElement & HTMLSelectElement;
};
const button = (el: HTMLElement, text: string) => {
  const found = [...el.querySelectorAll('button')].find((b) => b.textContent?.trim() === text);
  if (found === undefined) throw new Error(`no button "${text}"; have ${[...el.querySelectorAll('button')].map((b) => b.textContent).join(' | ')}`);
  return found;
};
async function type(input: HTMLInputElement | HTMLTextAreaElement, value: string) {
  await act(() => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}
async function click(target: HTMLElement) {
  await act(() => target.click());
}

describe('AgentsScreen', () => {
  it('lists agents, checks the form, creates an agent and disables one', async () => {
    const { el } = await mount(AgentsScreen);
    expect(el.querySelector('h1')?.textContent).toBe('Agents');
    await until(() => expect(el.querySelector('tbody th')?.textContent).toBe('Ada Admin'));

    await type(byLabel(el, 'Name'), 'Dora');
    await type(byLabel(el, 'E-mail'), 'dora@shop.io');
    await type(byLabel(el, 'Password'), 'short');
    await click(button(el, 'Create agent'));
    expect(el.querySelector('[role="alert"]')?.textContent).toMatch(/at least 8/);

    await type(byLabel(el, 'Password'), 'correct horse');
    await click(button(el, 'Create agent'));
    await until(() => expect([...el.querySelectorAll('tbody th')].map((t) => t.textContent)).toEqual(['Ada Admin', 'Dora']));
    expect(byLabel(el, 'Name').value).toBe('');
    const listed = (await (await fetch(`${url}/api/admin/agents`, { headers: { authorization: `Bearer ${token}` } })).json()) as { agents: Array<{ email?: string }> };
    expect(listed.agents.map((a) => a.email)).toContain('dora@shop.io');

    await click(button(el, 'Disable Dora'));
    await until(() => expect(el.querySelector('tbody tr:nth-child(2) td:nth-of-type(3)')?.textContent).toBe('Disabled'));
  });
});

describe('SitesScreen', () => {
  it('edits allowed origins, business hours and theme of a site, and shows a refusal', async () => {
    const { el } = await mount(SitesScreen);
    await until(() => expect(byLabel(el, 'Site to edit').value).not.toBe(''));
    await type(byLabel(el, 'Allowed origins'), 'https://shop.example\nhttps://www.shop.example');
    await click(byLabel(el, 'Set business hours'));
    await type(byLabel(el, 'Time zone'), 'Europe/Lisbon');
    await click(el.querySelector<HTMLInputElement>('[aria-label="Open on Monday"]')!);
    await type(byLabel(el, 'Greeting'), 'Hi! Ask us anything.');
    const scale = byLabel(el, 'Rating after a chat');
    expect(scale.value).toBe('csat');
    await act(() => {
      scale.value = 'nps';
      scale.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await click(button(el, 'Save site demo'));
    const pub = async () => (await (await fetch(`${url}/api/sites/demo/public`)).json()) as Record<string, unknown>;
    let saved: Record<string, unknown> = {};
    for (let i = 0; i < 100 && saved.businessHours === undefined; i++) {
      saved = await pub();
      await act(() => new Promise((r) => setTimeout(r, 20)));
    }
    expect(saved).toMatchObject({
      key: 'demo',
      ratingScale: 'nps',
      businessHours: { timezone: 'Europe/Lisbon', days: [{ day: 1, open: '09:00', close: '17:00' }] },
      theme: { position: 'right', greeting: 'Hi! Ask us anything.' },
    });
    const sites = (await (await fetch(`${url}/api/admin/sites`, { headers: { authorization: `Bearer ${token}` } })).json()) as { sites: Array<{ key: string; allowedOrigins: string[]; ratingScale: string }> };
    expect(sites.sites.find((s) => s.key === 'demo')!.allowedOrigins).toEqual(['https://shop.example', 'https://www.shop.example']);
    expect(sites.sites.find((s) => s.key === 'demo')!.ratingScale).toBe('nps');

    await type(byLabel(el, 'Allowed origins'), 'https://shop.example/path');
    await click(button(el, 'Save site demo'));
    await until(() => expect(el.querySelector('[role="alert"]')?.textContent).toMatch(/should be written "https:\/\/shop.example"/));
  });
});

describe('FaqScreen', () => {
  it('tests a question on the unsaved text, saves, and shows refused lines', async () => {
    const { el, admin } = await mount(FaqScreen);
    await until(() => expect(admin.getState().faq.siteKey).toBe('demo'));
    const source = byLabel(el, 'FAQ (Markdown)');
    await until(() => expect(source.disabled).toBe(false));
    await type(source, '## Where is my order?\nid: track\nalso:\n- Where is my parcel?\nIt ships in two days.\n\n## Can I return it?\nid: returns\nYes, within 30 days.\n');

    await type(byLabel(el, 'Question'), 'where is my parcel');
    await click(button(el, 'Test'));
    const result = el.querySelector('.faq-result')!;
    expect(result.getAttribute('role')).toBe('status');
    expect(result.textContent).toMatch(/^Answer with “Where is my order\?” \(\d+% confident\)/);
    // Only entries sharing words with the question are ranked; "Can I return it?" shares none.
    expect([...result.querySelectorAll('li')].map((li) => li.textContent)).toEqual([expect.stringMatching(/^Where is my order\? \(track\): \d+%$/)]);
    expect(el.textContent).toContain('Unsaved changes.');

    await type(byLabel(el, 'Question'), 'I want to talk to a human');
    await click(button(el, 'Test'));
    expect(result.textContent).toMatch(/^Hand off to a person: Asked for a human/);

    await click(button(el, 'Save FAQ'));
    await until(() => expect(el.textContent).toMatch(/Saved /));
    expect((await fetch(`${url}/faq/demo.json`)).status).toBe(200);

    await type(source, '## Where is my order?\nlink: ftp://nope\nSoon.\n');
    await click(button(el, 'Save FAQ'));
    await until(() => expect(el.querySelector('.error-box')?.textContent).toMatch(/Not saved: the FAQ has 1 error\.Line 2: .*link/));
    expect(source.getAttribute('aria-invalid')).toBe('true');
    await click(button(el, 'Line 2'));
    expect(document.activeElement).toBe(source);
    expect(source.value.slice(source.selectionStart, source.selectionEnd)).toBe('link: ftp://nope');
  });
});

describe('App: admin pages', () => {
  async function mountApp(role: 'admin' | 'agent') {
    const agent = { ...AGENT, role };
    const t = makeStore({ api: fakeApi({ login: async () => ({ token: token, expiresAt: Date.now() + 60_000, agent }), me: async () => agent }) });
    await t.store.getState().login(agent.email, 'pw');
    const admin = createAdminStore({ api: createAdminApi({ baseUrl: url }), getToken: () => t.store.getState().auth.token });
    root = document.createElement('div');
    document.body.append(root);
    await act(() => {
      render(
        <StoreContext.Provider value={t.store}>
          <AdminStoreContext.Provider value={admin}>
            <App />
          </AdminStoreContext.Provider>
        </StoreContext.Provider>,
        root,
      );
    });
    return { el: root, store: t.store };
  }
  const navLabels = (el: HTMLElement) => [...el.querySelectorAll('nav[aria-label="Main"] a')].map((a) => a.textContent);

  it('shows Agents, Sites and FAQ to admins only, and an admins-only page to others', async () => {
    const asAdmin = await mountApp('admin');
    expect(navLabels(asAdmin.el)).toEqual(expect.arrayContaining(['Agents', 'Sites', 'FAQ']));
    await act(() => asAdmin.store.getState().navigate('sites'));
    expect(asAdmin.el.querySelector('main h1')?.textContent).toBe('Sites');
    expect(asAdmin.el.querySelector('a[aria-current="page"]')?.textContent).toBe('Sites');
    render(null, root);
    root.remove();

    const asAgent = await mountApp('agent');
    expect(navLabels(asAgent.el)).not.toContain('Agents');
    expect(navLabels(asAgent.el)).not.toContain('FAQ');
    await act(() => asAgent.store.getState().navigate('agents'));
    expect(asAgent.el.querySelector('main h1')?.textContent).toBe('Admins only');
  });
});
