// The script-tag widget in real Chromium under a strict nonce CSP: zero violations, no network before interaction,
// FAQ answers with no socket, keyboard focus handling, and a failed app load that leaves the page working.
import { readFileSync } from 'node:fs';
import { buildIndex, compileIndex, parseFaqMarkdown } from '@parley/faq';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium } from '../support/browser.js';
import { hostPage, POLL, startWidgetSite, strictCsp, WIDGET_DIST, type WidgetSite } from '../support/widget-page.js';

const NONCE = 'n0nc3n0nc3';
const skip = browserSkipReason([`${WIDGET_DIST}loader.js`, `${WIDGET_DIST}app.js`]);
// Served compiled (`parley-faq build --compiled`), so the page needs only the query engine, not the builder.
const faqDoc = parseFaqMarkdown(readFileSync(new URL('../../packages/faq/fixtures/storefront-faq.md', import.meta.url), 'utf8'));
const faqJson = JSON.stringify(compileIndex(buildIndex(faqDoc.entries, { synonyms: faqDoc.synonyms })));
// A German FAQ: faq.js has English words only, so this one also needs faq-words-de.js.
const germanFaqJson = JSON.stringify(
  compileIndex(
    buildIndex(
      [
        { id: 'lieferung', question: 'Wie lange dauert die Lieferung?', answer: 'Die Lieferung dauert drei bis fünf Werktage.' },
        { id: 'rueckgabe', question: 'Wie kann ich einen Artikel zurückgeben?', answer: 'Rücksendungen sind 30 Tage lang kostenlos.' },
      ],
      { locale: 'de' },
    ),
  ),
);

// The snippet from the widget README, with the page's nonce. `assets` is where app.js and the rest are fetched.
const page = (assetsUrl: string, locale = 'en', faqUrl = '/faq.json') => () => ({
  csp: strictCsp(NONCE),
  html: hostPage({
    nonce: NONCE,
    boot: { server: 'ws://127.0.0.1:9/ws/visitor', siteKey: 'e2e', locale, faqUrl, assetsUrl },
    body: '<h1>Shop</h1><button id="host-button">Host page button</button>',
  }),
});

let site: WidgetSite;
let browser: Browser;

beforeAll(async () => {
  if (skip) return;
  site = await startWidgetSite({ '/': page('/parley/'), '/broken': page('/missing/'), '/de': page('/parley/', 'de', '/faq-de.json') }, faqJson, {
    '/faq-de.json': germanFaqJson,
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

async function open(path: string): Promise<{ page: Page; requests: string[]; sockets: string[]; pageErrors: string[] }> {
  const p = await browser.newPage();
  const requests: string[] = [];
  const sockets: string[] = [];
  const pageErrors: string[] = [];
  p.on('request', (r) => requests.push(new URL(r.url()).pathname));
  p.on('websocket', (ws) => sockets.push(ws.url()));
  p.on('pageerror', (e) => pageErrors.push(e.message));
  p.setDefaultTimeout(10_000);
  await p.goto(site.base + path);
  return { page: p, requests, sockets, pageErrors };
}

describe.skipIf(!!skip)('widget under a strict CSP (Chromium)', () => {
  it('self-serves from the FAQ with zero CSP violations and no socket', async () => {
    const { page: p, requests, sockets, pageErrors } = await open('/');
    const launcher = p.locator('button.pl');
    await launcher.waitFor();
    expect(await launcher.getAttribute('aria-label')).toBe('Chat');
    // Before interaction: the page and the loader, nothing else; no storage written, no cookie.
    expect(requests).toEqual(['/', '/parley/loader.js']);
    expect(await p.evaluate(() => [localStorage.length, document.cookie])).toEqual([0, '']);

    await launcher.click();
    const dialog = p.locator('[role=dialog]');
    await dialog.waitFor();
    expect(await launcher.getAttribute('aria-expanded')).toBe('true');
    const input = p.locator('#pc-input');
    await expect.poll(() => input.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el), POLL).toBe(true);
    expect(await input.evaluate((el) => getComputedStyle(el).fontSize)).toBe('16px');

    await input.fill('how long does delivery take?');
    await input.press('Enter');
    await expect.poll(() => p.locator('.pc-answer').textContent(), POLL).toContain('Standard delivery takes 3–5 working days');
    await p.getByRole('button', { name: 'Yes' }).click();

    await p.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await launcher.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el)).toBe(true);

    // Host CSS does not reach in; ours does not leak out.
    expect(await p.locator('#host-button').evaluate((el) => getComputedStyle(el).position)).toBe('static');

    expect(requests).toContain('/parley/app.js');
    expect(requests).toContain('/parley/faq.js');
    expect(requests).not.toContain('/parley/faq-build.js');
    expect(requests).toContain('/parley/locales/en.json');
    expect(requests).not.toContain('/parley/transport.js');
    // The forms chunk, fetched on idle after the question, loads under the nonce too (counted in the violations).
    await expect.poll(() => requests, POLL).toContain('/parley/forms.js');
    await p.waitForLoadState('networkidle');
    expect(sockets).toEqual([]);
    expect(await p.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
    expect(pageErrors).toEqual([]);
    await p.close();
  });

  it('answers from a German FAQ with its words chunk loaded under the nonce', async () => {
    const { page: p, requests, pageErrors } = await open('/de');
    await p.locator('button.pl').click();
    const input = p.locator('#pc-input');
    await input.fill('Wann kommt meine Lieferung?');
    await input.press('Enter');
    await expect.poll(() => p.locator('.pc-answer').textContent(), POLL).toContain('drei bis fünf Werktage');
    expect(requests).toContain('/parley/faq-words-de.js');
    expect(requests.filter((r) => r.startsWith('/parley/faq-words-'))).toEqual(['/parley/faq-words-de.js']);
    expect(await p.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
    expect(pageErrors).toEqual([]);
    await p.close();
  });

  it('goes full screen on a phone-sized viewport (reduced motion: no slide-in)', async () => {
    const { page: p } = await open('/');
    await p.emulateMedia({ reducedMotion: 'reduce' });
    await p.setViewportSize({ width: 375, height: 640 });
    await p.locator('button.pl').click();
    const box = await p.locator('[role=dialog]').boundingBox();
    expect(box).toMatchObject({ x: 0, y: 0, width: 375, height: 640 });
    await p.close();
  });

  it('keeps the page working when app.js cannot load', async () => {
    const { page: p, pageErrors } = await open('/broken');
    const launcher = p.locator('button.pl');
    await launcher.click();
    await expect.poll(() => launcher.getAttribute('aria-label'), POLL).toBe('Chat unavailable');
    expect(await p.evaluate(() => (window as unknown as { __errors: string[] }).__errors)).toEqual(['WIDGET_LOAD_FAILED']);
    // No overlay: the host button is still clickable where it is.
    await p.locator('#host-button').click({ trial: true });
    expect(pageErrors).toEqual([]);
    expect(await p.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
    await p.close();
  });
});
