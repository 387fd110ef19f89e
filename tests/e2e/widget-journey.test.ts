// The whole shopper journey in real Chromium against the real server: hand-off from the script-tag widget, an
// agent (a Node transport client) accepts and chats, the conversation survives a reload, the agent closes, CSAT.
import { describe, expect, it } from 'vitest';
import { browserSkipReason } from '../support/browser.js';
import { collectPageErrors, hostPage, POLL, strictCsp, WIDGET_DIST, useWidgetRig } from '../support/widget-page.js';

const NONCE = 'j0urn3y';
const skip = browserSkipReason([`${WIDGET_DIST}loader.js`, `${WIDGET_DIST}transport.js`]);

const rig = useWidgetRig(skip, (desk) => ({
  '/': () => ({ csp: strictCsp(NONCE), html: hostPage({ nonce: NONCE, boot: { server: desk.visitorUrl, locale: 'en', siteKey: 'demo' }, body: '<h1>Shop</h1>' }) }),
}));

describe.skipIf(!!skip)('widget journey against the real server (Chromium)', () => {
  it('escalates, chats with an agent, survives a reload, and rates', async () => {
    const p = await rig.browser.newPage();
    p.setDefaultTimeout(10_000);
    const pageErrors = collectPageErrors(p);
    await p.goto(rig.site.base);
    await p.locator('button.pl').click();
    await p.getByRole('button', { name: 'Talk to a person' }).click();
    await expect.poll(() => p.locator('.pc-queue').textContent(), POLL).toMatch(/in line|Waiting/);

    const conversationId = await rig.desk.acceptNext();
    await expect.poll(() => p.locator('#pc-title').textContent(), POLL).toBe('Alice');

    rig.desk.agent.send(conversationId, 'Hi, Alice here. How can I help?');
    await expect.poll(() => p.locator('[role=log]').textContent(), POLL).toContain('Hi, Alice here. How can I help?');

    const input = p.locator('#pc-input');
    await input.fill('My parcel is late');
    await input.press('Enter');
    await expect.poll(() => rig.desk.messages.map((m) => m.text), POLL).toContain('My parcel is late');
    await expect.poll(() => p.locator('.pc-mine').last().getAttribute('data-state'), POLL).toMatch(/delivered|read/);

    // A reload keeps the conversation: the loader loads the app at once and the history comes back.
    await p.reload();
    await p.locator('button.pl').click();
    await expect.poll(() => p.locator('[role=log]').textContent(), POLL).toContain('My parcel is late');
    expect(await p.locator('#pc-title').textContent()).toBe('Alice');

    await rig.desk.agent.request({ type: 'conversation.close', conversationId });
    await p.locator('legend', { hasText: 'How did we do?' }).waitFor();
    await p.locator('label.pc-star').nth(4).click();
    await p.getByRole('button', { name: 'Send rating' }).click();
    await p.getByText('Thanks for your rating!').waitFor();
    await expect.poll(() => rig.desk.ratings, POLL).toContain(5);

    expect(await p.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
    expect(pageErrors).toEqual([]);
    await p.close();
  });
});
