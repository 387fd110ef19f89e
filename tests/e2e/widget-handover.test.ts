// Hand-overs in real Chromium against the real server: an agent transfers the chat to another (the widget shows the
// new agent's name and its own "left"/"joined" lines, not the server's English), that agent puts it back in the
// queue (the widget is queued again and shows where it stands), and the next agent to accept is shown joining.
import { describe, expect, it } from 'vitest';
import { browserSkipReason } from '../support/browser.js';
import { collectPageErrors, hostPage, POLL, WIDGET_FILES, useWidgetRig } from '../support/widget-page.js';

const skip = browserSkipReason(WIDGET_FILES);

const rig = useWidgetRig(skip, (desk) => ({ '/': () => ({ html: hostPage({ boot: { server: desk.visitorUrl, siteKey: 'demo', locale: 'en' } }) }) }));

describe.skipIf(!!skip)('widget hand-overs (Chromium)', () => {
  it('shows a transfer to another agent, a return to the queue, and the next agent joining', async () => {
    const page = await rig.browser.newPage();
    page.setDefaultTimeout(10_000);
    const pageErrors = collectPageErrors(page);
    const log = () => page.locator('[role=log]').textContent().then((s) => s ?? '');
    const title = () => page.locator('#pc-title').textContent();
    await page.goto(rig.site.base);
    const known = rig.desk.queued.length;
    await page.locator('button.pl').click();
    await page.getByRole('button', { name: 'Talk to a person' }).click();
    const conversationId = await rig.desk.acceptNext(known);
    await expect.poll(title, POLL).toBe('Alice');

    // Alice hands over to Bob.
    const bob = await rig.desk.connectAgent({ name: 'Bob', avatarUrl: 'https://cdn.example/bob.png' });
    const bobId = (await rig.desk.parley.storage.listAgents((await rig.desk.parley.storage.getDefaultSite()).id)).find((a) => a.name === 'Bob')!.id;
    await rig.desk.agent.request({ type: 'conversation.transfer', conversationId, toAgentId: bobId });
    await expect.poll(title, POLL).toBe('Bob');
    await expect.poll(() => page.locator('.pc-avatar').getAttribute('src'), POLL).toBe('https://cdn.example/bob.png');
    await expect.poll(log, POLL).toContain('Alice left the conversation');
    expect(await log()).toContain('Bob joined the conversation');

    // Bob puts it back in the queue: the widget waits again, without Bob in the header.
    await bob.join(conversationId);
    await bob.request({ type: 'conversation.transfer', conversationId });
    await expect.poll(() => page.locator('.pc-queue').textContent(), POLL).toMatch(/in line|Waiting/);
    await expect.poll(title, POLL).toBe('Chat with us');
    await expect.poll(log, POLL).toContain('Bob left the conversation');

    // Alice takes it again: a new "joined" line for her second join.
    await rig.desk.agent.request({ type: 'conversation.accept', conversationId });
    await expect.poll(title, POLL).toBe('Alice');
    await expect.poll(() => log().then((t) => t.split('Alice joined the conversation').length - 1), POLL).toBe(2);
    expect(await page.locator('.pc-queue').count()).toBe(0);
    // Only our own wording: none of the server's English event texts.
    expect(await log()).not.toMatch(/transferred the conversation|put the conversation back/);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
