// The agent console's chat tools end to end in Chromium, on the demo (scripts/demo.mjs) with automatic assignment:
// a shopper's hand-off is assigned to the only online agent, who gets the chat without a click; an internal note
// never reaches the shopper's widget; the chat is transferred to a second agent, who sees the note and closes it
// with a reason. Screenshots of failures go to test-results/e2e/.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, startDemo, type Demo } from '../../scripts/demo.mjs';
import { browserSkipReason, launchChromium } from '../support/browser.js';
import { axeViolations, consoleMessages, fillPreChat, openWidget, saveScreenshot, shopperSays, signIn, widgetMessages } from '../support/journey-pages.js';

const dist = (path: string) => fileURLToPath(new URL(`../../packages/${path}`, import.meta.url));
const skip = browserSkipReason([dist('widget/dist/loader.js'), dist('widget/dist/app.js'), dist('console/dist/app.js')]);
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const sam = DEMO_ACCOUNTS.find((a) => a.role === 'agent')!;
const bea = { name: 'Bea Backup', email: 'bea@parley.test', password: 'parley-bea-backup' };
const shopper = { name: 'Jo Shopper', email: 'jo@example.com' };
const OUT_OF_SCOPE = 'Can your team engrave my initials on the Daypack straps before it ships?';
const NOTE = 'Internal: repeat customer, engraving free of charge';

let browser: Browser;
const cleanups: Array<() => Promise<unknown> | unknown> = [];
const pages: Page[] = [];

beforeAll(async () => {
  if (skip) return;
  browser = await launchChromium();
});
afterEach(async (test) => {
  if (test.task.result?.state === 'fail') {
    let n = 0;
    for (const page of pages) await saveScreenshot(page, `failed-console-chat-${n++}`).catch(() => undefined);
  }
  for (const fn of cleanups.splice(0).reverse()) await fn();
  pages.length = 0;
});
afterAll(async () => {
  await browser?.close();
});

async function demo(): Promise<Demo> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-console-chat-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const d = await startDemo({ dataDir, port: 0, shopPort: 0, logger: silent, routing: { assignment: 'auto' } });
  cleanups.push(() => d.close({ graceMs: 0 }));
  return d;
}

async function newPage(): Promise<{ page: Page; errors: string[] }> {
  const context: BrowserContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(15_000);
  cleanups.push(() => context.close());
  const page = await context.newPage();
  pages.push(page);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

const openChats = (page: Page) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Chats/ }).click();

describe.skipIf(!!skip)('console chat tools on the demo with automatic assignment (Chromium)', () => {
  it('auto-assigns, keeps a note from the shopper, transfers to a colleague who closes with a reason', async () => {
    const d = await demo();
    await d.server.createAgent(bea);
    const { page: agent, errors: agentErrors } = await newPage();
    await signIn(agent, d.consoleUrl, sam);

    const { page: shop, errors: shopErrors } = await newPage();
    await shop.goto(d.shopUrl);
    await openWidget(shop);
    await shopperSays(shop, OUT_OF_SCOPE);
    await fillPreChat(shop, shopper);
    // Assigned on escalation to the only online agent: the shopper never waits in the queue.
    await shop.locator('#pc-title').getByText('Sam Agent').waitFor();

    // Sam's console took the chat on its own: announced, and in the chat list without accepting anything.
    // The announcement lives in the (visually hidden) live region.
    await agent.getByText(`New chat with ${shopper.name} assigned to you.`).waitFor({ state: 'attached' });
    await agent.getByRole('link', { name: 'Chats (1)' }).waitFor();
    await openChats(agent);
    await agent.getByRole('heading', { name: `Chat with ${shopper.name}` }).waitFor();
    const reply = agent.getByLabel(`Reply to ${shopper.name}`);
    await reply.fill('Hi Jo, let me check with the workshop.');
    await reply.press('Enter');
    await expect.poll(() => widgetMessages(shop)).toContain('Hi Jo, let me check with the workshop.');

    // An internal note: shown to agents as a note, never to the shopper.
    await agent.getByLabel('Internal note (only agents see it)').check();
    await agent.getByLabel(`Note about ${shopper.name}`).fill(NOTE);
    await agent.getByRole('button', { name: 'Add note' }).click();
    await agent.locator('.msg-note', { hasText: NOTE }).waitFor();
    expect(await axeViolations(agent), 'axe: chat with a note, note mode on').toEqual([]);
    await agent.getByLabel('Internal note (only agents see it)').uncheck();

    // Bea comes online; Sam hands the chat to her.
    const { page: colleague, errors: colleagueErrors } = await newPage();
    await signIn(colleague, d.consoleUrl, bea);
    await agent.getByRole('button', { name: 'Transfer…' }).click();
    const target = agent.getByLabel('Transfer to');
    // Bea's console may still be connecting when the form opens; the form refreshes its list while open.
    await expect.poll(() => target.locator('option').allTextContents(), { timeout: 15_000, interval: 100 }).toContain('Bea Backup — online, 0 of 3 chats');
    expect(await axeViolations(agent), 'axe: transfer form').toEqual([]);
    await target.selectOption({ label: 'Bea Backup — online, 0 of 3 chats' });
    await agent.getByRole('button', { name: 'Transfer', exact: true }).click();
    await agent.getByText('Conversation handed to Bea Backup.').waitFor({ state: 'attached' });
    await shop.locator('#pc-title').getByText('Bea Backup').waitFor();

    // Bea has the chat, with the history and Sam's note.
    await colleague.getByText(`New chat with ${shopper.name} assigned to you.`).waitFor({ state: 'attached' });
    await openChats(colleague);
    await colleague.getByRole('heading', { name: `Chat with ${shopper.name}` }).waitFor();
    await colleague.locator('.msg-note', { hasText: NOTE }).waitFor();
    await expect.poll(() => consoleMessages(colleague)).toContain('Hi Jo, let me check with the workshop.');
    const beaReply = colleague.getByLabel(`Reply to ${shopper.name}`);
    await beaReply.fill('Engraving is on us, Jo.');
    await beaReply.press('Enter');
    await expect.poll(() => widgetMessages(shop)).toContain('Engraving is on us, Jo.');

    // Closed with a reason and a detail; the shopper is asked for a rating.
    await colleague.getByRole('button', { name: 'Close conversation…' }).click();
    await colleague.getByLabel('Other').check();
    await colleague.getByLabel('What happened? (required)').fill('engraving order placed by phone');
    await colleague.getByRole('button', { name: 'Close conversation', exact: true }).click();
    await colleague.getByText('This conversation is closed.').waitFor();
    await shop.getByRole('group', { name: 'How did we do?' }).waitFor();

    // The shopper's page never held the note: not in the messages, nowhere in the widget's DOM.
    expect(await widgetMessages(shop)).not.toContain(NOTE);
    const widgetText = await shop.evaluate(() =>
      [...document.querySelectorAll('body *')].map((el) => (el.shadowRoot?.textContent ?? '') + (el.textContent ?? '')).join(' '),
    );
    expect(widgetText).toContain('Engraving is on us, Jo.');
    expect(widgetText).not.toContain('repeat customer');
    const summary = (await d.server.storage.searchConversations({ siteId: (await d.server.storage.getDefaultSite()).id, limit: 5 }))[0]!;
    expect(await d.server.storage.getConversationDetail(summary.id)).toMatchObject({ status: 'closed', closeReason: 'other: engraving order placed by phone', agent: { name: 'Bea Backup' } });
    expect([...agentErrors, ...colleagueErrors, ...shopErrors]).toEqual([]);
  });
});
