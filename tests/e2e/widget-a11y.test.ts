// axe-core WCAG 2.2 AA scans of the widget in real Chromium against the real server: the open panel with a FAQ
// answer, the live chat after an agent joined, the pre-chat form with errors, the rating form; light and dark.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium } from '../support/browser.js';
import { collectPageErrors, hostPage, POLL, startAgentDesk, startWidgetSite, strictCsp, WIDGET_FILES, type AgentDesk, type WidgetSite } from '../support/widget-page.js';

const NONCE = 'a11yn0nce';
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const skip = browserSkipReason(WIDGET_FILES);
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let desk: AgentDesk;
let site: WidgetSite;
let browser: Browser;

interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary: string }>;
}

beforeAll(async () => {
  if (skip) return;
  desk = await startAgentDesk('Alice');
  const page = (extra: Record<string, unknown>) => () => ({
    csp: strictCsp(NONCE),
    html: hostPage({
      nonce: NONCE,
      boot: { server: desk.visitorUrl, siteKey: 'demo', locale: 'en', faqUrl: '/faq.json', ...extra },
      body: '<main><h1>Shop</h1><p>Products.</p></main>',
    }),
  });
  site = await startWidgetSite({ '/': page({}), '/dark': page({ theme: { mode: 'dark' } }), '/prechat': page({ preChat: ['name', 'email'] }) });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await desk?.close();
});

/**
 * A page with axe-core in it. The page keeps its strict CSP (the widget is scanned as shipped), so axe cannot
 * come in as a <script> tag (addScriptTag would be refused: no nonce). addInitScript evaluates it through the
 * DevTools protocol, which CSP does not govern, before any page script runs. Reduced motion: the panel's entry
 * fade is dropped by its own CSS then, so axe reads the colours a shopper sees once the panel has settled, not a
 * frame of the fade (white at 0.9 opacity failed contrast on a loaded CI machine).
 */
async function openPage(path: string): Promise<{ p: Page; pageErrors: string[] }> {
  const p = await browser.newPage({ reducedMotion: 'reduce' });
  p.setDefaultTimeout(10_000);
  await p.addInitScript({ content: AXE });
  const pageErrors = collectPageErrors(p);
  await p.goto(site.base + path);
  return { p, pageErrors };
}

/** Opens the panel and waits for the site's config (it can restyle the widget) to have been answered. */
async function openPanel(p: Page): Promise<void> {
  const config = p.waitForResponse((r) => r.url().includes('/api/sites/') && r.url().endsWith('/public'));
  await p.locator('button.pl').click();
  await p.locator('[role=dialog]').waitFor();
  await config;
}

/** Runs axe over the whole document; axe descends into open shadow roots, so the widget's tree is included. */
async function scan(p: Page): Promise<{ violations: AxeViolation[]; checkedInWidget: number }> {
  // Let any animation finish, the widget's included: document.getAnimations() does not look into shadow roots,
  // so each open root is asked too. Then none may be left running: a contrast read mid-animation is not the
  // colour the shopper ends up with.
  const running = await p.evaluate(async () => {
    const roots = (): Array<Document | ShadowRoot> => [document, ...[...document.querySelectorAll('*')].flatMap((e) => (e.shadowRoot ? [e.shadowRoot] : []))];
    const live = () => roots().flatMap((r) => r.getAnimations()).filter((a) => a.playState === 'running');
    for (let i = 0; i < 20 && live().length; i++) await Promise.all(live().map((a) => a.finished.catch(() => undefined)));
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return live().map((a) => (a as CSSAnimation).animationName ?? String(a.id));
  });
  expect(running, 'animations still running when axe reads colours').toEqual([]);
  return p.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[]; passes: Array<{ nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations', 'passes'] });
    // A target into a shadow root is an array of selectors (host, then inside): proof the scan went in.
    const checkedInWidget = result.passes.flatMap((r) => r.nodes).filter((n) => Array.isArray(n.target[0])).length;
    return {
      violations: result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) })),
      checkedInWidget,
    };
  }, TAGS);
}

async function expectClean(p: Page, label: string): Promise<void> {
  const { violations, checkedInWidget } = await scan(p);
  expect(checkedInWidget, `${label}: axe saw nothing inside the shadow root`).toBeGreaterThan(10);
  expect(violations, `${label}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

describe.skipIf(!!skip)('widget accessibility: axe-core WCAG 2.2 AA (Chromium)', () => {
  it('has no violations on the open panel, the chat with an agent, and the rating form', async () => {
    const known = desk.queued.length;
    const { p, pageErrors } = await openPage('/');
    await openPanel(p);
    await p.locator('#pc-input').fill('how do I return shipping costs');
    await p.locator('#pc-input').press('Enter');
    await p.locator('.pc-suggestions').waitFor();
    await expectClean(p, 'open panel with a FAQ answer');

    await p.getByRole('button', { name: 'Yes' }).click();
    await p.getByRole('button', { name: 'Talk to a person' }).click();
    await expect.poll(() => p.locator('.pc-queue').textContent(), POLL).toMatch(/in line|Waiting/);
    await expectClean(p, 'queued');

    const conversationId = await desk.acceptNext(known);
    await expect.poll(() => p.locator('#pc-title').textContent(), POLL).toBe('Alice');
    desk.agent.send(conversationId, 'Hi, Alice here. See https://shop.example/returns or mail help@shop.example');
    await p.locator('#pc-input').fill('My parcel is late');
    await p.locator('#pc-input').press('Enter');
    await expect.poll(() => p.locator('.pc-mine').last().getAttribute('data-state'), POLL).toMatch(/delivered|read/);
    desk.agent.typing(conversationId, true);
    await p.locator('.pc-typing').waitFor();
    await expect.poll(() => p.locator('[role=log]').textContent(), POLL).toContain('Alice here');
    await expectClean(p, 'chat with an agent');

    await desk.agent.request({ type: 'conversation.close', conversationId });
    await p.locator('legend', { hasText: 'How did we do?' }).waitFor();
    await expectClean(p, 'rating form');
    await p.locator('label.pc-star').nth(3).click();
    await expectClean(p, 'rating form with a score');
    await p.getByRole('button', { name: 'Send rating' }).click();
    await p.getByText('Thanks for your rating!').waitFor();
    await expectClean(p, 'rating sent');
    expect(pageErrors).toEqual([]);
    await p.close();
  });

  it('has no violations in dark mode and on the pre-chat form with errors', async () => {
    const dark = await openPage('/dark');
    await openPanel(dark.p);
    await dark.p.locator('#pc-input').fill('how long does delivery take?');
    await dark.p.locator('#pc-input').press('Enter');
    await dark.p.locator('.pc-answer').waitFor();
    await expectClean(dark.p, 'dark panel');
    await dark.p.close();

    const pre = await openPage('/prechat');
    await openPanel(pre.p);
    await pre.p.getByRole('button', { name: 'Talk to a person' }).click();
    await pre.p.locator('#pc-pre-email').fill('not-an-address');
    await pre.p.locator('form.pc-form button[type=submit]').click();
    await pre.p.locator('#pc-pre-email[aria-invalid=true]').waitFor();
    await expectClean(pre.p, 'pre-chat form with errors');
    expect(pre.pageErrors).toEqual([]);
    await pre.p.close();
  });
});
