// Regenerates docs/storefront.png: the demo (scripts/demo.mjs) driven in Chromium through a real conversation, the
// shopper's storefront with the widget open beside the agent's console, composed into one picture.
// Usage: pnpm build && node scripts/screenshot.mjs [out.png]   (PARLEY_CHROMIUM overrides /usr/bin/chromium)

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { DEMO_ACCOUNTS, startDemo } from './demo.mjs';

const out = process.argv[2] ?? fileURLToPath(new URL('../docs/storefront.png', import.meta.url));
const executablePath = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';
const VIEWPORT = { width: 1120, height: 760 };
const silent = { debug() {}, info() {}, warn() {}, error() {} };

const dataDir = mkdtempSync(join(tmpdir(), 'parley-screenshot-'));
const demo = await startDemo({ dataDir, port: 0, shopPort: 0, logger: silent });
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
try {
  const agentAccount = DEMO_ACCOUNTS.find((a) => a.role === 'agent');
  const agent = await (await browser.newContext({ viewport: VIEWPORT })).newPage();
  await agent.goto(demo.consoleUrl);
  await agent.getByLabel('E-mail').fill(agentAccount.email);
  await agent.getByLabel('Password').fill(agentAccount.password);
  await agent.getByRole('button', { name: 'Sign in' }).click();
  await agent.getByRole('heading', { name: /^Queue \(/ }).waitFor();

  const shop = await (await browser.newContext({ viewport: VIEWPORT })).newPage();
  await shop.goto(`${demo.shopUrl}/#/product/trail-jacket`);
  await shop.locator('button.pl').click();
  const input = shop.locator('#pc-input');
  const say = async (text) => {
    await input.fill(text);
    await input.press('Enter');
  };
  // A question the FAQ answers in the page, then one it hands to a person.
  await say('how long does delivery take?');
  await shop.locator('.pc-answer').waitFor();
  await say('Can I get the jacket hemmed 3 cm shorter before it ships?');
  await shop.locator('#pc-pre-name').fill('Jo Shopper');
  await shop.locator('#pc-pre-email').fill('jo@example.com');
  await shop.getByRole('button', { name: 'Start chat' }).click();

  await agent.locator('.queue-card', { hasText: 'Jo Shopper' }).getByRole('button', { name: 'Accept' }).click();
  const reply = agent.getByLabel('Reply to Jo Shopper');
  await reply.fill('Hi Jo, Sam here. Yes: hemming is free, it adds one day. Shall I add it to your order?');
  await reply.press('Enter');
  await shop.locator('.pc-msg', { hasText: 'hemming is free' }).waitFor();
  await say('Yes please, thank you!');
  await agent.locator('.msg-text', { hasText: 'Yes please' }).waitFor();
  await reply.pressSequentially('Done', { delay: 30 });
  await shop.locator('.pc-typing').waitFor();
  await shop.waitForTimeout(300);
  // Typing scrolled the console down to the composer; the picture wants its header.
  await agent.evaluate(() => window.scrollTo(0, 0));

  const [shopPng, consolePng] = await Promise.all([shop.screenshot(), agent.screenshot()]);
  const side = await (await browser.newContext({ viewport: { width: 2 * VIEWPORT.width + 48, height: VIEWPORT.height + 72 } })).newPage();
  const figure = (png, caption) =>
    `<figure><img alt="" src="data:image/png;base64,${png.toString('base64')}"><figcaption>${caption}</figcaption></figure>`;
  await side.setContent(`<!doctype html><html><head><style>
    body { margin: 0; padding: 16px; background: #d9dee5; display: flex; gap: 16px; font: 600 15px system-ui, sans-serif; color: #1b2430; }
    figure { margin: 0; } img { display: block; width: ${VIEWPORT.width}px; border-radius: 8px; box-shadow: 0 2px 10px #0003; }
    figcaption { padding: 10px 4px 0; }
  </style></head><body>${figure(shopPng, 'The shopper: the demo storefront with the widget open')}${figure(consolePng, 'The agent: the Parley console')}</body></html>`);
  mkdirSync(dirname(out), { recursive: true });
  await side.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await demo.close({ graceMs: 0 });
  rmSync(dataDir, { recursive: true, force: true });
}
