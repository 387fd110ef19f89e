// Quick replies in real Chromium against the real server: the agent's offer shows as buttons under the latest
// message, reachable by keyboard; choosing one sends its text as the shopper's message, and the buttons go away.
import { describe, expect, it } from 'vitest';
import { browserSkipReason } from '../support/browser.js';
import { collectPageErrors, focusInfo, hostPage, POLL, WIDGET_FILES, useWidgetRig } from '../support/widget-page.js';

const skip = browserSkipReason(WIDGET_FILES);

const rig = useWidgetRig(skip, (desk) => ({ '/': () => ({ html: hostPage({ boot: { server: desk.visitorUrl, siteKey: 'demo', locale: 'en' } }) }) }));

describe.skipIf(!!skip)('widget quick replies (Chromium)', () => {
  it('offers the agent\'s quick replies as buttons; Enter on one sends it to the agent and retires the buttons', async () => {
    const page = await rig.browser.newPage();
    page.setDefaultTimeout(10_000);
    const pageErrors = collectPageErrors(page);
    await page.goto(rig.site.base);
    const known = rig.desk.queued.length;
    await page.locator('button.pl').click();
    await page.getByRole('button', { name: 'Talk to a person' }).click();
    const conversationId = await rig.desk.acceptNext(known);

    await rig.desk.agent.send(conversationId, 'Which size do you wear?', { quickReplies: ['Small', 'Medium', '<img src=x onerror=alert(1)>'] }).acked;
    const group = page.getByRole('group', { name: 'Suggested replies' });
    await expect.poll(() => group.getByRole('button').allTextContents(), POLL).toEqual(['Small', 'Medium', '<img src=x onerror=alert(1)>']);
    expect(await group.locator('img').count()).toBe(0);

    // Keyboard only: focus the second button and press Enter.
    await group.getByRole('button', { name: 'Medium' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => rig.desk.messages.filter((m) => m.conversationId === conversationId && m.author.role === 'visitor').map((m) => m.text), POLL).toEqual(['Medium']);
    await expect.poll(() => group.count(), POLL).toBe(0);
    // Focus stayed in the panel (on the message box) rather than dropping to the page.
    expect(await focusInfo(page)).toMatchObject({ id: 'pc-input', isInWidget: true });
    expect(await page.locator('.pc-mine').last().textContent()).toContain('Medium');
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
