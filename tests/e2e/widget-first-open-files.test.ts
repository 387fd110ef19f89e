// The files size.mjs budgets as the first open are the files Chromium fetches on a first open of the demo
// storefront: a fresh visit (click, one FAQ question) and a reload with a conversation in progress. A chunk added,
// split or deferred without updating scripts/bench/widget/first-open-files.mjs fails here.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, startDemo, type Demo } from '../../scripts/demo.mjs';
import { AFTER_FIRST_MESSAGE, FIRST_OPEN, FRESH_OPEN, RESUMED_OPEN } from '../../scripts/bench/widget/first-open-files.mjs';
import { browserSkipReason, launchChromium } from '../support/browser.js';
import { fillPreChat, openWidget, recordNetwork, shopperSays, signIn } from '../support/journey-pages.js';
import { POLL } from '../support/widget-page.js';

const dist = fileURLToPath(new URL('../../packages/widget/dist/', import.meta.url));
const skip = browserSkipReason([`${dist}loader.js`, `${dist}app.js`]);
const silent = { debug() {}, info() {}, warn() {}, error() {} };

let browser: Browser;
let demo: Demo;
let dataDir: string;
let context: BrowserContext;

beforeAll(async () => {
  if (skip) return;
  dataDir = mkdtempSync(join(tmpdir(), 'parley-first-open-'));
  demo = await startDemo({ dataDir, port: 0, shopPort: 0, logger: silent });
  browser = await launchChromium();
  context = await browser.newContext();
  context.setDefaultTimeout(15_000);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await demo?.close({ graceMs: 0 });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** The widget's scripts among `urls` (the loader aside: it has its own budget), in fetch order, once each. */
const widgetScripts = (urls: string[]): string[] => [
  ...new Set(
    urls
      .map((u) => new URL(u).pathname)
      .filter((p) => p.startsWith('/widget/') && p.endsWith('.js'))
      .map((p) => p.slice('/widget/'.length))
      .filter((f) => f !== 'loader.js'),
  ),
];

/** Lets late chunks (idle loads, a background FAQ engine) show up before the list is read. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise((resolve) => requestIdleCallback(() => setTimeout(resolve, 500))));
  await page.waitForLoadState('networkidle');
}

describe.skipIf(!!skip)('first-open files (Chromium, demo storefront)', () => {
  let shop: Page;
  const errors: string[] = [];

  it('a fresh first open fetches exactly FRESH_OPEN; the first question, AFTER_FIRST_MESSAGE on idle', async () => {
    const network = recordNetwork(context);
    shop = await context.newPage();
    shop.on('pageerror', (e) => errors.push(e.message));
    await shop.goto(demo.shopUrl);
    // The open: the panel, its locale and the FAQ (engine and data) ready for a first question.
    const faqLoaded = shop.waitForResponse((r) => r.url().endsWith('/faq/demo.json'));
    await openWidget(shop);
    await faqLoaded;
    await settle(shop);
    const opened = widgetScripts(network.entries.map((e) => e.url));
    expect([...opened].sort()).toEqual([...FRESH_OPEN].sort());
    expect(FIRST_OPEN).toEqual(expect.arrayContaining(opened));

    await shopperSays(shop, 'how long does delivery take?');
    await expect.poll(() => shop.locator('.pc-answer').count(), POLL).toBeGreaterThan(0);
    await settle(shop);
    const later = widgetScripts(network.entries.map((e) => e.url)).filter((f) => !opened.includes(f));
    expect(later).toEqual([...AFTER_FIRST_MESSAGE]);
    expect(errors).toEqual([]);
  });

  it('a reload with a conversation in progress fetches exactly RESUMED_OPEN', async () => {
    // An agent online, so the hand-off queues (with nobody online it becomes a message left for later).
    const desk = await browser.newContext();
    try {
      const agent = await desk.newPage();
      await signIn(agent, demo.consoleUrl, DEMO_ACCOUNTS.find((a) => a.role === 'agent')!);
      await agent.getByText('Nobody is waiting').waitFor();
      await handOffAndReload();
    } finally {
      await desk.close();
    }
  });

  async function handOffAndReload(): Promise<void> {
    await shopperSays(shop, 'Can your team engrave my initials on the Daypack straps before it ships?');
    await fillPreChat(shop, { name: 'Jo Shopper', email: 'jo@example.com' });
    await shop.locator('.pc-queue').getByText(/in line/).waitFor();
    // The conversation is in progress once the widget marks it so for the next page.
    await expect.poll(() => shop.evaluate(() => localStorage.getItem('parley:demo:active')), POLL).toBeTruthy();

    const network = recordNetwork(context);
    await shop.reload();
    await shop.locator('button.pl').click();
    // Resumed over the socket: waiting for a person, with what a handed-off chat shows (the attach button).
    await shop.locator('.pc-queue').getByText(/Waiting/).waitFor();
    await shop.locator('.pc-attach').waitFor();
    await settle(shop);
    const fetched = widgetScripts(network.entries.map((e) => e.url));
    expect(fetched.sort()).toEqual([...RESUMED_OPEN].sort());
    expect(FIRST_OPEN).toEqual(expect.arrayContaining(fetched));
    expect(errors).toEqual([]);
  }
});
