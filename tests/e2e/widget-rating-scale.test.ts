// Rating scales in real Chromium against the real server: a site on NPS gets an 0–10 radio group, operable by
// keyboard, and the server stores the score with its scale; a score off the site's scale is refused by the server.
import { describe, expect, it } from 'vitest';
import { browserSkipReason } from '../support/browser.js';
import { axeViolations } from '../support/journey-pages.js';
import { collectPageErrors, hostPage, POLL, WIDGET_FILES, useWidgetRig } from '../support/widget-page.js';

const skip = browserSkipReason(WIDGET_FILES);

const rig = useWidgetRig(skip, (desk) => ({
  '/': () => ({ html: hostPage({ boot: { server: desk.visitorUrl, siteKey: 'demo', locale: 'en', ratingScale: 'nps' } }) }),
}));

describe.skipIf(!!skip)('widget rating scale (Chromium)', () => {
  it('asks NPS 0–10 as a radio group; arrow keys choose; the rating is stored on the nps scale', async () => {
    const storage = rig.desk.parley.storage;
    await storage.updateSite((await storage.getDefaultSite()).id, { ratingScale: 'nps' });
    const page = await rig.browser.newPage();
    page.setDefaultTimeout(10_000);
    const pageErrors = collectPageErrors(page);
    await page.goto(rig.site.base);
    const known = rig.desk.queued.length;
    await page.locator('button.pl').click();
    await page.getByRole('button', { name: 'Talk to a person' }).click();
    const conversationId = await rig.desk.acceptNext(known);
    await rig.desk.agent.request({ type: 'conversation.close', conversationId });

    const group = page.getByRole('group', { name: 'How likely are you to recommend us to a friend?' });
    await group.waitFor();
    const radios = group.getByRole('radio');
    expect(await radios.count()).toBe(11);
    expect(await group.getAttribute('aria-describedby')).toBeTruthy();
    await page.waitForTimeout(400);
    expect(await axeViolations(page), 'axe: NPS rating').toEqual([]);
    // Keyboard: focus 0 and arrow up to 3 (native radio-group behaviour, one tab stop).
    await page.getByRole('radio', { name: '0 out of 10', exact: true }).focus();
    await page.keyboard.press('Space');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByRole('radio', { name: '3 out of 10', exact: true }).isChecked(), POLL).toBe(true);
    await page.getByRole('button', { name: 'Send rating' }).click();
    await page.getByText('Thanks for your rating!').waitFor();
    await expect.poll(async () => (await storage.getConversationDetail(conversationId))?.rating, POLL).toMatchObject({ score: 3, scale: 'nps' });
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
