// examples/npm-app in Chromium: the rollup-built app imports createWidget from @parley/widget and drives it from
// its own UI (identify, send, open) against the demo server, and hears the widget's events.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNpmApp } from '../../examples/npm-app/serve.mjs';
import { startDemo, type Demo } from '../../scripts/demo.mjs';
import { browserSkipReason, launchChromium } from '../support/browser.js';
import { saveScreenshot } from '../support/journey-pages.js';

const built = fileURLToPath(new URL('../../examples/npm-app/dist/main.js', import.meta.url));
const skip = browserSkipReason([built, fileURLToPath(new URL('../../packages/widget/dist/index.js', import.meta.url))]);
const silent = { debug() {}, info() {}, warn() {}, error() {} };

let browser: Browser;
let demo: Demo;
let app: { url: string; close(): Promise<void> };
let dataDir: string;

beforeAll(async () => {
  if (skip) return;
  dataDir = mkdtempSync(join(tmpdir(), 'parley-npm-app-'));
  demo = await startDemo({ dataDir, port: 0, shopPort: 0, logger: silent });
  app = await startNpmApp({ parleyUrl: demo.parleyUrl });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await demo?.close({ graceMs: 0 });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(!!skip)('examples/npm-app (Chromium)', () => {
  it('identifies the user, sends from app code, and logs the widget events', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(app.url);
    await page.getByRole('button', { name: 'Identify' }).click();

    // A question sent by the app's own form opens the panel and is answered by the FAQ in the page.
    await page.getByRole('button', { name: 'Send', exact: true }).first().click();
    await page.locator('.pc-answer[data-entry="delivery-time"]').waitFor();
    const events = page.locator('#events');
    await events.locator('code', { hasText: /^open$/ }).waitFor();

    // Out of scope with nobody online: identify() already gave the pre-chat answers, so no form; the widget escalates
    // and offers to leave a message, addressed to the identified e-mail.
    await page.getByLabel('Send as the shopper').fill('Can you engrave my initials on the Daypack straps?');
    await page.locator('#ask').getByRole('button', { name: 'Send' }).click();
    await events.getByText(/"status":"offline"/).waitFor();
    expect(await page.locator('#pc-pre-name').count()).toBe(0);
    expect(await page.locator('#pc-off-email').inputValue()).toBe('jo@example.com');
    expect(await events.locator('li', { hasText: 'escalated' }).textContent()).toContain('"reason":"out_of_scope"');

    await page.getByRole('button', { name: 'Close chat' }).first().click();
    await events.locator('code', { hasText: /^close$/ }).waitFor();
    expect(errors).toEqual([]);
    // The widget's locale came from where the app serves it (assetsUrl), and nothing else failed either.
    expect(await events.locator('li', { hasText: /^error / }).allTextContents()).toEqual([]);
    await saveScreenshot(page, 'npm-app');
    await page.close();
  });
});
