// A site that requires a verified shopper (packages/server README, "Sites and shopper identity"), in real Chromium
// against the real server: without an identity the widget reports AUTH_IDENTITY_REQUIRED and says so in the panel
// (no crash, nothing queued); after `Parley('identify', { userId, hmac })` the next attempt gets in, and a
// widget booted with a valid HMAC reaches the queue and the agent of that site straight away.
import { signIdentity } from '@parley/server';
import { createClient, memoryStorage, type ParleyClient } from '@parley/transport';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { browserSkipReason, launchChromium } from '../support/browser.js';
import { collectPageErrors, hostPage, POLL, startAgentDesk, startWidgetSite, WIDGET_FILES, type AgentDesk, type WidgetSite } from '../support/widget-page.js';

const skip = browserSkipReason(WIDGET_FILES);
const SECRET = 'k'.repeat(48);
// Past the transport's first backoff steps on a loaded machine.
const RETRY_POLL = { ...POLL, timeout: 20_000 };

let desk: AgentDesk;
let site: WidgetSite;
let browser: Browser;
let sam: ParleyClient;
const queued: string[] = [];

beforeAll(async () => {
  if (skip) return;
  desk = await startAgentDesk('Alice');
  const boot = (extra: Record<string, unknown>) => ({ server: desk.visitorUrl, siteKey: 'secure', locale: 'en', ...extra });
  site = await startWidgetSite({
    '/': () => ({ html: hostPage({ boot: boot({}) }) }),
    '/signed': () => ({ html: hostPage({ boot: boot({ identity: { userId: 'user-42', hmac: signIdentity(SECRET, 'user-42') } }) }) }),
  });
  await desk.parley.storage.createSite({ key: 'secure', allowedOrigins: [site.base], identitySecret: SECRET, requiresIdentity: true });
  // An agent of the secure site, who sees only its queue.
  const { token } = await desk.parley.createAgent({ name: 'Sam', siteKey: 'secure' });
  sam = createClient({ url: desk.visitorUrl.replace(/visitor$/, 'agent'), role: 'agent', WebSocket: WebSocket as never, getToken: () => token, storage: memoryStorage() });
  sam.on('queue', (q) => {
    if (q.type === 'queue.snapshot') for (const e of q.entries) if (!queued.includes(e.conversationId)) queued.push(e.conversationId);
  });
  await sam.request({ type: 'agent.availability', availability: 'online' });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  sam?.close();
  await browser?.close();
  await site?.close();
  await desk?.close();
});

const errors = (page: Page): Promise<string[]> => page.evaluate(() => (window as unknown as { __errors: string[] }).__errors);
const alertText = (page: Page): Promise<string | null> =>
  page.locator('[role=alert]').count().then((n) => (n ? page.locator('[role=alert]').textContent() : null));

async function open(path: string): Promise<{ page: Page; pageErrors: string[] }> {
  const page = await browser.newPage();
  page.setDefaultTimeout(10_000);
  const pageErrors = collectPageErrors(page);
  await page.goto(site.base + path);
  await page.locator('button.pl').click();
  await page.getByRole('button', { name: 'Talk to a person' }).click();
  return { page, pageErrors };
}

describe.skipIf(!!skip)('widget on a site that requires a verified shopper (Chromium)', () => {
  it('refuses a widget without an identity with a clear error, then lets it in when asked again after identify()', async () => {
    const { page, pageErrors } = await open('/');
    await expect.poll(() => errors(page), POLL).toContain('AUTH_IDENTITY_REQUIRED');
    await expect.poll(() => alertText(page), POLL).toBe("We couldn't confirm your account. Sign in again to chat.");
    expect(queued).toEqual([]);

    // The shopper signs in and asks again; the transport asks for the identity before every attempt.
    await page.evaluate((hmac) => (window as unknown as { Parley: (...a: unknown[]) => void }).Parley('identify', { userId: 'user-7', hmac }), signIdentity(SECRET, 'user-7'));
    await page.getByRole('button', { name: 'Talk to a person' }).click();
    await expect.poll(() => page.locator('.pc-queue').textContent(), RETRY_POLL).toMatch(/in line|Waiting/);
    expect(await alertText(page)).toBeNull();
    await expect.poll(() => queued.length, POLL).toBe(1);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('refuses an HMAC made with another secret, and accepts a valid one from boot', async () => {
    const forged = await browser.newPage();
    const forgedErrors = collectPageErrors(forged);
    await forged.goto(`${site.base}/`);
    await forged.evaluate((hmac) => (window as unknown as { Parley: (...a: unknown[]) => void }).Parley('identify', { userId: 'user-42', hmac }), signIdentity('x'.repeat(48), 'user-42'));
    await forged.locator('button.pl').click();
    await forged.getByRole('button', { name: 'Talk to a person' }).click();
    await expect.poll(() => errors(forged), POLL).toContain('AUTH_IDENTITY_INVALID');
    expect(forgedErrors).toEqual([]);
    await forged.close();

    const known = queued.length;
    const { page, pageErrors } = await open('/signed');
    await expect.poll(() => page.locator('.pc-queue').textContent(), POLL).toMatch(/in line|Waiting/);
    await expect.poll(() => queued.length, POLL).toBe(known + 1);
    const conversationId = queued[known]!;
    await sam.request({ type: 'conversation.accept', conversationId });
    await sam.join(conversationId);
    await expect.poll(() => page.locator('#pc-title').textContent(), POLL).toBe('Sam');
    await sam.send(conversationId, 'Hello user 42').acked;
    await expect.poll(() => page.locator('[role=log]').textContent(), POLL).toContain('Hello user 42');
    expect(await errors(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
