// The site's public config in real Chromium against the real server: read on the first open (no request to the chat
// server before it), applied (greeting, pre-chat form, rating scale, the transcript e-mail offer), overridden by the
// page's boot config, and ignored when it cannot be fetched. The transcript then arrives at a real SMTP receiver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason } from '../support/browser.js';
import { axeViolations } from '../support/journey-pages.js';
import { mailText, startSmtpReceiver, type SmtpReceiver } from '../support/smtp-receiver.js';
import { collectPageErrors, hostPage, POLL, WIDGET_FILES, useWidgetRig } from '../support/widget-page.js';

const skip = browserSkipReason(WIDGET_FILES);

let smtp: SmtpReceiver;
beforeAll(async () => {
  if (!skip) smtp = await startSmtpReceiver();
});
afterAll(() => smtp?.close());

const rig = useWidgetRig(
  skip,
  (desk) => ({
    '/': () => ({ html: hostPage({ boot: { server: desk.visitorUrl, siteKey: 'demo', locale: 'en' } }) }),
    '/boot': () => ({ html: hostPage({ boot: { server: desk.visitorUrl, siteKey: 'demo', locale: 'en', greeting: 'Hello from the page', preChat: [], ratingScale: 'csat' } }) }),
  }),
  () => ({ mail: { smtpUrl: smtp.url, from: 'Shop <help@shop.example>' } }),
);

describe.skipIf(!!skip)('widget site config (Chromium)', () => {
  beforeAll(async () => {
    const storage = rig.desk.parley.storage;
    await storage.updateSite((await storage.getDefaultSite()).id, { theme: { greeting: 'Hello from the site settings' }, ratingScale: 'ces', preChat: ['name'] });
  });

  it('reads the config on the first open only, applies it, and e-mails the transcript after the close', async () => {
    const page = await rig.browser.newPage();
    page.setDefaultTimeout(10_000);
    const pageErrors = collectPageErrors(page);
    const chatServer = new URL(rig.desk.visitorUrl.replace(/^ws/, 'http')).origin;
    const toServer: string[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(chatServer)) toServer.push(new URL(r.url()).pathname);
    });
    await page.goto(rig.site.base);
    await page.locator('button.pl').waitFor();
    await page.waitForTimeout(300);
    expect(toServer).toEqual([]);

    await page.locator('button.pl').click();
    await expect.poll(() => page.locator('[role=log]').textContent(), POLL).toContain('Hello from the site settings');
    expect(toServer).toEqual(['/api/sites/demo/public']);

    // The site asks for a name first (the page's boot config has no preChat).
    const known = rig.desk.queued.length;
    await page.getByRole('button', { name: 'Talk to a person' }).click();
    await page.getByLabel('Name').fill('Ada');
    await page.getByRole('button', { name: 'Start chat' }).click();
    const conversationId = await rig.desk.acceptNext(known);
    const input = page.locator('#pc-input');
    await input.fill('Parcel 42 <b>never came</b>');
    await input.press('Enter');
    await expect.poll(() => rig.desk.messages.map((m) => m.text), POLL).toContain('Parcel 42 <b>never came</b>');
    await rig.desk.agent.request({ type: 'conversation.close', conversationId });

    // The site's scale (CES 1–7) and the e-mail offer (the server has SMTP).
    await page.getByRole('group', { name: 'How easy was it to get the help you needed?' }).waitFor();
    expect(await page.getByRole('radio').count()).toBe(7);
    await page.getByLabel('Email me the transcript').waitFor();
    expect(await axeViolations(page), 'axe: CES rating with the transcript form').toEqual([]);
    await page.getByLabel('Email me the transcript').fill('ada@example.com');
    await page.getByRole('button', { name: 'Send transcript' }).click();
    await page.getByText('Transcript sent to ada@example.com.').waitFor();
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.to).toEqual(['ada@example.com']);
    expect(smtp.received[0]!.raw).toMatch(/^Subject: Your chat transcript \(demo\)$/m);
    expect(mailText(smtp.received[0]!.raw)).toMatch(/\] You: Parcel 42 <b>never came<\/b>\n/);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('lets the page\'s boot config win, and works on boot config alone when the site config cannot be fetched', async () => {
    const page = await rig.browser.newPage();
    page.setDefaultTimeout(10_000);
    const pageErrors = collectPageErrors(page);
    await page.goto(`${rig.site.base}/boot`);
    const siteConfig = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/sites/demo/public');
    await page.locator('button.pl').click();
    // The site's config has arrived (and been read) before anything is checked: each override below is tested
    // against a widget that knows the site's greeting, pre-chat fields and scale.
    const response = await siteConfig;
    expect(response.status()).toBe(200);
    expect(await response.json()).toMatchObject({ ratingScale: 'ces', preChat: ['name'] });
    await expect.poll(() => page.locator('[role=log]').textContent(), POLL).toContain('Hello from the page');
    expect(await page.locator('[role=log]').textContent()).not.toContain('Hello from the site settings');
    // No pre-chat form (the page said none, the site says name): straight to the queue.
    const known = rig.desk.queued.length;
    await page.getByRole('button', { name: 'Talk to a person' }).click();
    const conversationId = await rig.desk.acceptNext(known);
    await expect.poll(() => page.locator('#pc-title').textContent(), POLL).toBe('Alice');
    expect(await page.locator('#pc-pre-name').count()).toBe(0);
    await rig.desk.agent.request({ type: 'conversation.close', conversationId });
    // The page's scale (csat), not the site's (ces).
    await page.getByRole('group', { name: 'How did we do?' }).waitFor();
    expect(await page.getByRole('radio').count()).toBe(5);
    // The server rates on the site's scale: a csat 5 (in range for ces) is refused, not stored as a ces 5, and the
    // widget asks again on ces with nothing picked.
    await page.locator('label.pc-star').nth(4).click();
    await page.getByRole('button', { name: 'Send rating' }).click();
    await page.getByRole('group', { name: 'How easy was it to get the help you needed?' }).waitFor();
    expect(await page.getByRole('radio').count()).toBe(7);
    expect(await page.getByRole('radio', { checked: true }).count()).toBe(0);
    expect((await rig.desk.parley.storage.getConversationDetail(conversationId))!.rating).toBeUndefined();
    await page.locator('label.pc-star').nth(5).click();
    await page.getByRole('button', { name: 'Send rating' }).click();
    await page.getByText('Thanks for your rating!').waitFor();
    expect((await rig.desk.parley.storage.getConversationDetail(conversationId))!.rating).toMatchObject({ score: 6, scale: 'ces' });
    expect(pageErrors).toEqual([]);
    await page.close();

    const offline = await rig.browser.newPage();
    offline.setDefaultTimeout(10_000);
    const offlineErrors = collectPageErrors(offline);
    await offline.route('**/api/sites/**', (route) => route.abort());
    await offline.goto(rig.site.base);
    await offline.locator('button.pl').click();
    // The locale's greeting, and a working chat.
    await expect.poll(() => offline.locator('[role=log]').textContent(), POLL).toContain('Hi! Ask us anything');
    const offlineKnown = rig.desk.queued.length;
    await offline.getByRole('button', { name: 'Talk to a person' }).click();
    await rig.desk.acceptNext(offlineKnown);
    await expect.poll(() => offline.locator('#pc-title').textContent(), POLL).toBe('Alice');
    expect(offlineErrors).toEqual([]);
    await offline.close();
  });
});
