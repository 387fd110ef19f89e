// The console's admin pages in Chromium, on the demo `pnpm start` runs (scripts/demo.mjs): sign in as the seeded
// admin, add an agent (who can then sign in), edit a site's origins, edit the FAQ and test a question on the unsaved
// text, save it and see the widget's FAQ URL serve it; axe-core on every admin screen.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, startDemo } from '../../scripts/demo.mjs';
import { browserSkipReason, launchChromium } from '../support/browser.js';
import { axeViolations, saveScreenshot, signIn } from '../support/journey-pages.js';

const dist = (path: string) => fileURLToPath(new URL(`../../packages/${path}`, import.meta.url));
const skip = browserSkipReason([dist('console/dist/app.js')]);
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const adminAccount = DEMO_ACCOUNTS.find((a) => a.role === 'admin')!;

let browser: Browser;
const cleanups: Array<() => Promise<unknown> | unknown> = [];
let page: Page | undefined;
beforeAll(async () => {
  if (!skip) browser = await launchChromium();
});
afterEach(async (test) => {
  if (test.task.result?.state === 'fail' && page !== undefined) await saveScreenshot(page, 'failed-console-admin').catch(() => undefined);
  for (const fn of cleanups.splice(0).reverse()) await fn();
});
afterAll(() => browser?.close());

describe.skipIf(!!skip)('console admin pages (Chromium)', () => {
  it('an admin adds an agent, edits a site, edits and tests the FAQ; axe finds nothing on any admin screen', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-admin-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const demo = await startDemo({ dataDir, port: 0, shopPort: 0, logger: silent });
    cleanups.push(() => demo.close({ graceMs: 0 }));
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    cleanups.push(() => context.close());
    page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, demo.consoleUrl, adminAccount);
    const nav = page.getByRole('navigation', { name: 'Main' });

    // Agents: the seeded two, then a new one who can sign in.
    await nav.getByRole('link', { name: 'Agents' }).click();
    await page.getByRole('heading', { level: 1, name: 'Agents' }).waitFor();
    await page.getByRole('rowheader', { name: 'Sam Agent' }).waitFor();
    expect(await axeViolations(page), 'axe: agents').toEqual([]);
    await page.getByLabel('Name').fill('Dora Desk');
    await page.getByLabel('E-mail').fill('dora@parley.test');
    await page.getByLabel('Password').fill('dora-password');
    await page.getByLabel('Role').selectOption('agent');
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.getByRole('rowheader', { name: 'Dora Desk' }).waitFor();
    const login = await fetch(`${demo.parleyUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'dora@parley.test', password: 'dora-password' }) });
    expect(login.status).toBe(200);

    // Sites: the demo site's origins, saved to the server.
    await nav.getByRole('link', { name: 'Sites' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sites' }).waitFor();
    const origins = page.getByLabel('Allowed origins').first();
    await origins.fill(`${demo.shopUrl}\nhttps://www.shop.example`);
    await page.getByLabel('Set business hours').check();
    await page.getByLabel('Time zone').fill('Europe/Lisbon');
    await page.getByLabel('Open on Monday').check();
    await page.getByLabel('Greeting').fill('Hi! Ask us anything.');
    expect(await axeViolations(page), 'axe: sites with business hours open').toEqual([]);
    await page.getByRole('button', { name: 'Save site demo' }).click();
    await page.getByRole('status').filter({ hasText: 'Site demo saved.' }).waitFor({ state: 'attached' });
    const pub = (await (await fetch(`${demo.parleyUrl}/api/sites/demo/public`)).json()) as { theme?: { greeting?: string }; businessHours?: unknown };
    expect(pub.theme?.greeting).toBe('Hi! Ask us anything.');
    expect(pub.businessHours).toEqual({ timezone: 'Europe/Lisbon', days: [{ day: 1, open: '09:00', close: '17:00' }] });

    // FAQ: opens on the demo's storefront FAQ; test a question on an unsaved edit, then save.
    await nav.getByRole('link', { name: 'FAQ' }).click();
    await page.getByRole('heading', { level: 1, name: 'FAQ' }).waitFor();
    const source = page.getByLabel('FAQ (Markdown)');
    await expect.poll(() => source.inputValue()).toMatch(/^# Northwind Outfitters/);
    const question = 'Can you engrave my initials on the Daypack straps?';
    await page.getByLabel('Question', { exact: true }).fill(question);
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    const result = page.locator('.faq-result');
    await expect.poll(() => result.textContent()).toMatch(/^Hand off to a person/);

    const edited = `${await source.inputValue()}\n## Do you engrave initials?\nid: engraving\nalso:\n- Can you engrave my initials on the straps?\nYes: add engraving at checkout for £5.\n`;
    await source.fill(edited);
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await expect.poll(() => result.textContent()).toMatch(/^Answer with “Do you engrave initials\?” \(\d+% confident\)Top matches/);
    expect(await result.locator('li').first().textContent()).toMatch(/^Do you engrave initials\? \(engraving\): \d+%$/);
    expect(await axeViolations(page), 'axe: FAQ with a test result').toEqual([]);

    // An invalid line is refused with its number; fixing it saves, and the widget's FAQ URL serves the new entry.
    await source.fill(`${edited}link: ftp://not-allowed.example\n`);
    await page.getByRole('button', { name: 'Save FAQ' }).click();
    const refusal = page.locator('.error-box');
    await expect.poll(() => refusal.textContent()).toMatch(/Not saved: the FAQ has 1 error\.Line \d+: .*link/);
    expect(await axeViolations(page), 'axe: FAQ with a refused save').toEqual([]);
    await source.fill(edited);
    await page.getByRole('button', { name: 'Save FAQ' }).click();
    await page.getByText(/^Saved /).waitFor();
    const served = (await (await fetch(`${demo.parleyUrl}/faq/demo.json`)).json()) as { entries: Array<{ id: string }> };
    expect(served.entries.map((e) => e.id)).toContain('engraving');
    await saveScreenshot(page, 'console-admin-faq');
    expect(errors).toEqual([]);
  });
});
