// Two tabs of one shop (two pages in one browser context) in real Chromium against the real server: one
// conversation, every message in both, one unread count (README: "unread … shared by all tabs"). Each tab keeps
// its own socket: tab-sync.ts shares the conversation id and the count over BroadcastChannel, not the connection.
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSkipReason } from '../support/browser.js';
import { collectPageErrors, hostPage, POLL, strictCsp, WIDGET_FILES, useWidgetRig } from '../support/widget-page.js';

const NONCE = 'tw0tab5';
const skip = browserSkipReason(WIDGET_FILES);

const rig = useWidgetRig(skip, (desk) => ({
  '/': () => ({ csp: strictCsp(NONCE), html: hostPage({ nonce: NONCE, boot: { server: desk.visitorUrl, siteKey: 'demo', locale: 'en' }, body: '<h1>Shop</h1>' }) }),
}));

interface Tab {
  page: Page;
  sockets: string[];
  errors: string[];
}

async function openTab(context: BrowserContext): Promise<Tab> {
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(new URL(ws.url()).pathname));
  const errors = collectPageErrors(page);
  await page.goto(rig.site.base);
  await page.locator('button.pl').waitFor();
  return { page, sockets, errors };
}

const badge = (t: Tab): Promise<string> => t.page.locator('button.pl .pb').textContent().then((s) => s ?? '');
const label = (t: Tab): Promise<string | null> => t.page.locator('button.pl').getAttribute('aria-label');
const logText = (t: Tab): Promise<string> => t.page.locator('[role=log]').textContent().then((s) => s ?? '');
const unreadEvents = (t: Tab): Promise<number[]> => t.page.evaluate(() => (window as unknown as { __unread: number[] }).__unread);

describe.skipIf(!!skip)('widget in two tabs (Chromium)', () => {
  it('shares one conversation and one unread count between tabs', async () => {
    const context = await rig.browser.newContext();
    const a = await openTab(context);
    const b = await openTab(context);
    const known = rig.desk.queued.length;

    // Tab A hands off; tab B, untouched, picks the conversation up by itself.
    await a.page.locator('button.pl').click();
    await a.page.getByRole('button', { name: 'Talk to a person' }).click();
    await expect.poll(() => a.page.locator('.pc-queue').textContent(), POLL).toMatch(/in line|Waiting/);
    const conversationId = await rig.desk.acceptNext(known);
    await expect.poll(() => b.sockets, POLL).toEqual(['/ws/visitor']);

    // Both panels closed: each agent message counts once, and both tabs show the same count.
    await a.page.keyboard.press('Escape');
    await a.page.locator('[role=dialog]').waitFor({ state: 'detached' });
    const texts = ['First reply from Alice', 'Second reply', 'Third reply'];
    for (const text of texts) await rig.desk.agent.send(conversationId, text).acked;
    for (const t of [a, b]) {
      await expect.poll(() => badge(t), POLL).toBe('3');
      await expect.poll(() => label(t), POLL).toBe('Open chat (3 unread)');
    }
    // Settled, not just passing through 3: no tab counted a message twice after hearing the other's count.
    await new Promise((r) => setTimeout(r, 500));
    expect([await badge(a), await badge(b)]).toEqual(['3', '3']);
    expect(Math.max(...(await unreadEvents(a)), ...(await unreadEvents(b)))).toBe(3);

    // Reading in tab B clears the count in both; B shows the whole conversation, the agent's messages included.
    await b.page.locator('button.pl').click();
    await expect.poll(() => logText(b), POLL).toContain('Third reply');
    for (const text of texts) expect(await logText(b)).toContain(text);
    for (const t of [a, b]) await expect.poll(() => badge(t), POLL).toBe('');
    expect(await label(a)).toBe('Open chat');

    // A message sent from tab A shows in tab B as the shopper's own.
    await a.page.locator('button.pl').click();
    await a.page.locator('#pc-input').fill('Sent from tab A');
    await a.page.locator('#pc-input').press('Enter');
    await expect.poll(() => b.page.locator('.pc-mine').last().textContent(), POLL).toContain('Sent from tab A');
    await expect.poll(() => rig.desk.messages.filter((m) => m.text === 'Sent from tab A').length, POLL).toBe(1);
    for (const text of texts) expect(await logText(a)).toContain(text);

    // One conversation: the agent's queue saw one, and each tab holds exactly one socket (no tab opened a second).
    expect(rig.desk.queued.length - known).toBe(1);
    expect(a.sockets).toEqual(['/ws/visitor']);
    expect(b.sockets).toEqual(['/ws/visitor']);
    expect([...a.errors, ...b.errors]).toEqual([]);
    await context.close();
  });
});
