// What a shopper and an agent do with their hands in the journey tests: the widget on the storefront and the
// console, driven through Chromium by role and label. Also axe-core for the console's screens.

import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';

export const ARTEFACTS = fileURLToPath(new URL('../../test-results/e2e/', import.meta.url));

/** Saves a full-page screenshot under test-results/e2e/ (gitignored) and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTEFACTS, { recursive: true });
  const path = `${ARTEFACTS}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}

export interface NetworkLog {
  /** Every HTTP request and WebSocket the context opened, in order. */
  entries: Array<{ kind: 'http' | 'ws'; url: string }>;
  /** Entries since `mark()`. */
  since(mark: number): Array<{ kind: 'http' | 'ws'; url: string }>;
  mark(): number;
}

export function recordNetwork(context: BrowserContext): NetworkLog {
  const entries: NetworkLog['entries'] = [];
  context.on('request', (r) => entries.push({ kind: 'http', url: r.url() }));
  context.on('page', (p) => p.on('websocket', (ws) => entries.push({ kind: 'ws', url: ws.url() })));
  return { entries, mark: () => entries.length, since: (mark) => entries.slice(mark) };
}

// ---- shopper: the widget on the storefront (Playwright's CSS pierces the open shadow root) ----

export async function openWidget(page: Page): Promise<void> {
  await page.locator('button.pl').click();
  await page.locator('#pc-input, .pc-form').first().waitFor();
}

/** Types into the widget's message box and presses Enter. */
export async function shopperSays(page: Page, text: string): Promise<void> {
  const input = page.locator('#pc-input');
  await input.fill(text);
  await input.press('Enter');
}

/** Texts of the chat messages in the widget's log, in order (the shopper's own and the agent's). */
export function widgetMessages(page: Page): Promise<string[]> {
  return page.locator('.pc-log .pc-msg[data-state] .pc-text, .pc-log .pc-msg:not(.pc-answer):has(> .pc-bubble > .pc-author) .pc-text').allTextContents();
}

export async function fillPreChat(page: Page, profile: { name: string; email: string }): Promise<void> {
  await page.locator('#pc-pre-name').fill(profile.name);
  await page.locator('#pc-pre-email').fill(profile.email);
  await page.getByRole('button', { name: 'Start chat' }).click();
}

// ---- agent: the console ----

export async function signIn(page: Page, consoleUrl: string, account: { email: string; password: string }): Promise<void> {
  await page.goto(consoleUrl);
  await page.getByLabel('E-mail').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /^Queue \(/ }).waitFor();
}

/** Texts of the messages in the console's open chat, in order. */
export function consoleMessages(page: Page): Promise<string[]> {
  return page.locator('.chat .messages > li.msg .msg-text').allTextContents();
}

// ---- axe-core ----

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA plus best practices) on the page as it is now. The script goes in through
 * the DevTools protocol, which the console's `script-src 'self'` CSP does not apply to.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  // Colours read mid-animation are not the ones a user ends up with (the widget's entry fade failed contrast at
  // 0.9 opacity). document.getAnimations() does not look into shadow roots, where the widget lives: ask each one.
  await page.evaluate(async () => {
    const live = () =>
      [document, ...[...document.querySelectorAll('*')].flatMap((e) => (e.shadowRoot ? [e.shadowRoot] : []))]
        .flatMap((r) => r.getAnimations())
        .filter((a) => a.playState === 'running' && a.effect?.getComputedTiming().endTime !== Infinity);
    for (let i = 0; i < 20 && live().length; i++) await Promise.all(live().map((a) => a.finished.catch(() => undefined)));
  });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
}
