// The whole shopper journey in real Chromium against the real server: hand-off from the script-tag widget, an
// agent (a Node transport client) accepts and chats, the conversation survives a reload, the agent closes, CSAT.
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type ParleyServer } from '@parley/server';
import { createClient, memoryStorage, type DeliveredMessage, type ParleyClient } from '@parley/transport';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium } from '../support/browser.js';
import WebSocket from 'ws';

const DIST = fileURLToPath(new URL('../../packages/widget/dist/', import.meta.url));
const NONCE = 'j0urn3y';
const CSP = `script-src 'nonce-${NONCE}' 'strict-dynamic'; style-src 'nonce-${NONCE}'`;
const skip = browserSkipReason([`${DIST}loader.js`, `${DIST}transport.js`]);
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.json': 'application/json' };

let parley: ParleyServer;
let web: Server;
let base: string;
let browser: Browser;
let agent: ParleyClient;
const agentMessages: DeliveredMessage[] = [];
const queued: string[] = [];
const ratings: number[] = [];

const page = (wsUrl: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<script nonce="${NONCE}">(function(w,d,s){w.Parley=w.Parley||function(){(w.Parley.q=w.Parley.q||[]).push(arguments)};s=d.createElement('script');s.async=1;s.src='/parley/loader.js';d.head.appendChild(s)})(window,document);
window.__violations=[];document.addEventListener('securitypolicyviolation',function(e){window.__violations.push(e.violatedDirective)});
Parley('boot',{server:'${wsUrl}',locale:'en',siteKey:'demo'});</script></head><body><h1>Shop</h1></body></html>`;

beforeAll(async () => {
  if (skip) return;
  parley = createServer({ dbPath: ':memory:', logger: { debug() {}, info() {}, warn() {}, error() {} } });
  const { url } = await parley.listen(0, '127.0.0.1');
  const wsUrl = url.replace(/^http/, 'ws');
  const { token } = await parley.createAgent({ name: 'Alice' });
  agent = createClient({ url: `${wsUrl}/ws/agent`, role: 'agent', WebSocket: WebSocket as never, getToken: () => token, storage: memoryStorage() });
  agent.on('message', (m) => agentMessages.push(m));
  agent.on('queue', (q) => {
    if (q.type === 'queue.snapshot') for (const e of q.entries) if (!queued.includes(e.conversationId)) queued.push(e.conversationId);
  });
  agent.on('rating', (r) => ratings.push(r.score));
  await agent.request({ type: 'agent.availability', availability: 'online' });

  web = createHttpServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/') return res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': CSP }).end(page(`${wsUrl}/ws/visitor`));
    const file = DIST + path.replace(/^\/parley\//, '');
    if (path.startsWith('/parley/') && !file.includes('..') && existsSync(file)) {
      return res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    }
    return res.writeHead(404).end();
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  agent?.close();
  await browser?.close();
  await new Promise((r) => (web ? web.close(r) : r(undefined)));
  await parley?.close({ graceMs: 0 });
});

describe.skipIf(!!skip)('widget journey against the real server (Chromium)', () => {
  it('escalates, chats with an agent, survives a reload, and rates', async () => {
    const p = await browser.newPage();
    p.setDefaultTimeout(10_000);
    const pageErrors: string[] = [];
    p.on('pageerror', (e) => pageErrors.push(e.message));
    await p.goto(base);
    await p.locator('button.pl').click();
    await p.getByRole('button', { name: 'Talk to a person' }).click();
    await expect.poll(() => p.locator('.pc-queue').textContent()).toMatch(/in line|Waiting/);

    await expect.poll(() => queued.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const conversationId = queued[0]!;
    await agent.request({ type: 'conversation.accept', conversationId });
    await agent.join(conversationId);
    await expect.poll(() => p.locator('#pc-title').textContent()).toBe('Alice');

    agent.send(conversationId, 'Hi, Alice here. How can I help?');
    await expect.poll(() => p.locator('[role=log]').textContent()).toContain('Hi, Alice here. How can I help?');

    const input = p.locator('#pc-input');
    await input.fill('My parcel is late');
    await input.press('Enter');
    await expect.poll(() => agentMessages.map((m) => m.text)).toContain('My parcel is late');
    await expect.poll(() => p.locator('.pc-mine').last().getAttribute('data-state')).toMatch(/delivered|read/);

    // A reload keeps the conversation: the loader loads the app at once and the history comes back.
    await p.reload();
    await p.locator('button.pl').click();
    await expect.poll(() => p.locator('[role=log]').textContent()).toContain('My parcel is late');
    expect(await p.locator('#pc-title').textContent()).toBe('Alice');

    await agent.request({ type: 'conversation.close', conversationId });
    await p.locator('legend', { hasText: 'How did we do?' }).waitFor();
    await p.locator('label.pc-star').nth(4).click();
    await p.getByRole('button', { name: 'Send rating' }).click();
    await p.getByText('Thanks for your rating!').waitFor();
    await expect.poll(() => ratings).toContain(5);

    expect(await p.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
    expect(pageErrors).toEqual([]);
    await p.close();
  });
});
