// The shopper's journey with the keyboard only, in real Chromium against the real server: Tab to the launcher,
// Enter opens, ask, "Did this help?", hand-off, chat, Escape. Every focus stop is checked to be a visible element.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSkipReason } from '../support/browser.js';
import { collectPageErrors, focusInfo, hostPage, POLL, strictCsp, WIDGET_FILES, type FocusInfo, useWidgetRig } from '../support/widget-page.js';

const NONCE = 'k3yb0ard';
const skip = browserSkipReason(WIDGET_FILES);

const rig = useWidgetRig(skip, (desk) => ({
  '/': () => ({
    csp: strictCsp(NONCE),
    html: hostPage({
      nonce: NONCE,
      boot: { server: desk.visitorUrl, siteKey: 'demo', locale: 'en', faqUrl: '/faq.json' },
      body: '<h1>Shop</h1><a href="#top">Top</a> <button id="host-button">Host page button</button>',
    }),
  }),
}));

/** Presses `key` until `isWanted(focus)`, checking every stop is a visible element; fails after `max` presses. */
async function pressUntil(p: Page, key: string, isWanted: (f: FocusInfo) => boolean, max = 25): Promise<FocusInfo> {
  const stops: string[] = [];
  for (let i = 0; i < max; i++) {
    await p.keyboard.press(key);
    const f = await focusInfo(p);
    stops.push(f ? `${f.tag}.${f.className}#${f.id} "${f.label || f.text.slice(0, 30)}"` : '(body)');
    if (f) expect(f.isVisible, `focus on a hidden element after ${stops.join(' → ')}`).toBe(true);
    if (f && isWanted(f)) return f;
  }
  throw new Error(`never reached the wanted element with ${key}: ${stops.join(' → ')}`);
}

const widgetFocus = async (p: Page): Promise<FocusInfo> => {
  const f = await focusInfo(p);
  expect(f, 'focus dropped to the page body').not.toBeNull();
  expect(f!.isInWidget).toBe(true);
  expect(f!.isVisible).toBe(true);
  return f!;
};

describe.skipIf(!!skip)('widget with the keyboard only (Chromium)', () => {
  it('opens, answers, takes feedback, hands off, chats and closes without a mouse', async () => {
    const p = await rig.browser.newPage();
    p.setDefaultTimeout(10_000);
    const pageErrors = collectPageErrors(p);
    await p.goto(rig.site.base);
    await p.locator('button.pl').waitFor();

    // Tab through the host page to the launcher (it comes last: the host element is appended to <body>).
    await pressUntil(p, 'Tab', (f) => f.isInWidget && f.className === 'pl', 6);
    await p.keyboard.press('Enter');
    await p.locator('[role=dialog]').waitFor();
    await expect.poll(async () => (await focusInfo(p))?.id, POLL).toBe('pc-input');

    await p.keyboard.type('how long does delivery take?');
    await p.keyboard.press('Enter');
    await expect.poll(() => p.locator('.pc-answer').textContent(), POLL).toContain('Standard delivery takes 3–5 working days');
    expect((await widgetFocus(p)).id).toBe('pc-input');

    // Back through the panel to "Did this help? Yes", and press it.
    await pressUntil(p, 'Shift+Tab', (f) => f.isInWidget && f.text === 'Yes');
    await p.keyboard.press('Enter');
    await expect.poll(() => p.locator('.pc-answer .pc-chip', { hasText: 'Yes' }).getAttribute('aria-pressed'), POLL).toBe('true');
    await expect.poll(() => p.locator('.pc-answer [role=status]').textContent(), POLL).toBe('Thanks for the feedback!');
    expect((await widgetFocus(p)).text).toBe('Yes');

    // A related question as a quick reply: the chips go away with the new answer, focus must stay in the panel.
    await pressUntil(p, 'Tab', (f) => f.id === 'pc-input');
    await p.keyboard.type('how do I return shipping costs');
    await p.keyboard.press('Enter');
    await p.locator('.pc-suggestions').waitFor();
    const chip = await pressUntil(p, 'Shift+Tab', (f) => f.isInWidget && f.className === 'pc-chip' && f.text !== 'Yes' && f.text !== 'No');
    await p.keyboard.press('Enter');
    await expect.poll(() => p.locator('.pc-mine').last().textContent(), POLL).toContain(chip.text);
    expect((await widgetFocus(p)).id).toBe('pc-input');

    // Back to "Talk to a person". The button goes away once pressed: focus must land in the panel, not on <body>.
    await pressUntil(p, 'Shift+Tab', (f) => f.isInWidget && f.text === 'Talk to a person');
    await p.keyboard.press('Enter');
    await expect.poll(() => p.locator('.pc-queue').textContent(), POLL).toMatch(/in line|Waiting/);
    expect((await widgetFocus(p)).id).toBe('pc-input');

    const conversationId = await rig.desk.acceptNext();
    await expect.poll(() => p.locator('#pc-title').textContent(), POLL).toBe('Alice');
    rig.desk.agent.send(conversationId, 'Hi, Alice here. How can I help?');
    await expect.poll(() => p.locator('[role=log]').textContent(), POLL).toContain('Alice here');

    expect((await widgetFocus(p)).id).toBe('pc-input');
    await p.keyboard.type('My parcel is late');
    await p.keyboard.press('Enter');
    await expect.poll(() => rig.desk.messages.map((m) => m.text), POLL).toContain('My parcel is late');

    // Every stop of a full Tab cycle through the open panel is visible, and the cycle comes back to the launcher.
    await pressUntil(p, 'Tab', (f) => f.isInWidget && f.className === 'pl', 40);
    await pressUntil(p, 'Tab', (f) => f.id === 'pc-input', 40);

    await p.keyboard.press('Escape');
    await p.locator('[role=dialog]').waitFor({ state: 'detached' });
    const back = await widgetFocus(p);
    expect(back.className).toBe('pl');
    expect(await p.locator('button.pl').getAttribute('aria-expanded')).toBe('false');

    // Enter on the launcher opens it again, straight into the message box.
    await p.keyboard.press('Enter');
    await expect.poll(async () => (await focusInfo(p))?.id, POLL).toBe('pc-input');

    // The agent closes: focus moves to the rating, the arrow keys pick a score, and after sending focus stays put.
    await rig.desk.agent.request({ type: 'conversation.close', conversationId });
    await expect.poll(async () => (await focusInfo(p))?.tag, POLL).toBe('input');
    await p.keyboard.press('Space');
    for (let i = 0; i < 4; i++) await p.keyboard.press('ArrowRight');
    await expect.poll(() => p.locator('input[name=pc-score]:checked').getAttribute('value'), POLL).toBe('5');
    await pressUntil(p, 'Tab', (f) => f.isInWidget && f.text === 'Send rating');
    await p.keyboard.press('Enter');
    await p.getByText('Thanks for your rating!').waitFor();
    await expect.poll(() => rig.desk.ratings, POLL).toContain(5);
    // The focus moves in an effect, after the thanks is painted: poll rather than read once.
    await expect.poll(async () => (await focusInfo(p))?.text, POLL).toBe('Start a new conversation');
    expect(await p.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
    expect(pageErrors).toEqual([]);
    await p.close();
  });
});
