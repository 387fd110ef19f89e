// The XSS corpus (tests/support/xss-payloads.ts) through every path where outside text reaches the widget, in real
// Chromium against the real server: the shopper's messages, the agent's messages, agents' names and avatar URLs,
// history after a reload, and the pre-chat form. (A hostile file name is covered by widget-attachments.test.ts.)
// The page has NO CSP on purpose: under the strict policy an injected handler would be blocked anyway, and this
// test must be able to fail. `__xss`, `alert`, `confirm` and `prompt` are tripwires installed before any script.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium } from '../support/browser.js';
import { collectPageErrors, hostPage, POLL, startAgentDesk, startWidgetSite, WIDGET_FILES, type AgentDesk, type WidgetSite } from '../support/widget-page.js';
import { batchPayloads, xssPayloads } from '../support/xss-payloads.js';

const skip = browserSkipReason(WIDGET_FILES);
const PAYLOADS = xssPayloads();
// Hostile avatar URLs: none may become an <img> (only http(s) avatars are drawn).
const AVATARS = [
  'javascript:__xss()',
  'data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg" onload="parent.__xss()"/>',
  'x" onerror="__xss()',
  'vbscript:msgbox(1)',
  '//evil.example/a.png',
];
// The tags the widget draws; anything else in the shadow root came from a payload.
const ALLOWED_TAGS = ['div', 'p', 'span', 'a', 'button', 'time', 'textarea', 'input', 'label', 'form', 'fieldset', 'legend', 'header', 'h2', 'h3', 'svg', 'path', 'img'];

let desk: AgentDesk;
let site: WidgetSite;
let browser: Browser;

beforeAll(async () => {
  if (skip) return;
  // Hundreds of messages in seconds: lift the per-connection rates so the flood is not (rightly) refused.
  const lots = { perSecond: 10_000, burst: 10_000 };
  desk = await startAgentDesk('Alice', { rates: { frames: lots, messages: lots, conversationStarts: lots } });
  const boot = { server: desk.visitorUrl, siteKey: 'demo', locale: 'en' };
  site = await startWidgetSite({
    '/': () => ({ html: hostPage({ boot, body: '<h1>Shop</h1>' }) }),
    '/prechat': () => ({ html: hostPage({ boot: { ...boot, preChat: ['name', 'email'] }, body: '<h1>Shop</h1>' }) }),
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await desk?.close();
});

const TRIPWIRE = `window.__xssHits = [];
for (const name of ['__xss', 'alert', 'confirm', 'prompt', 'print']) {
  window[name] = function () { window.__xssHits.push(name + ' ' + String(new Error().stack).slice(0, 300)); };
}`;

async function openPage(context: BrowserContext, path: string): Promise<{ p: Page; errors: string[] }> {
  const p = await context.newPage();
  p.setDefaultTimeout(15_000);
  await p.addInitScript({ content: TRIPWIRE });
  const errors = collectPageErrors(p);
  p.on('dialog', (d) => void d.dismiss());
  await p.goto(site.base + path);
  await p.locator('button.pl').waitFor();
  return { p, errors };
}

interface Audit {
  hits: string[];
  badTags: string[];
  badLinks: string[];
  badImages: string[];
  handlerAttrs: string[];
  foreignSvgs: string[];
  iconCount: number;
  pageExtras: string[];
}

/** What a payload could have left behind: tripwire calls, foreign elements, unsafe links or images, on* attributes. */
function audit(p: Page): Promise<Audit> {
  return p.evaluate((allowed) => {
    const host = [...document.body.children].find((e) => e.shadowRoot)!;
    const els = [...host.shadowRoot!.querySelectorAll('*')];
    const safe = (href: string, schemes: string[]): boolean => {
      try {
        return schemes.includes(new URL(href).protocol);
      } catch {
        return false;
      }
    };
    return {
      hits: (window as unknown as { __xssHits: string[] }).__xssHits,
      badTags: [...new Set(els.map((e) => e.localName).filter((t) => !allowed.includes(t)))],
      badLinks: els
        .filter((e): e is HTMLAnchorElement => e.localName === 'a')
        .filter((a) => !safe(a.getAttribute('href') ?? '', ['http:', 'https:', 'mailto:']) || a.rel !== 'noopener noreferrer' || a.target !== '_blank')
        .map((a) => a.outerHTML.slice(0, 200)),
      badImages: els
        .filter((e): e is HTMLImageElement => e.localName === 'img')
        .filter((i) => i.className !== 'pc-avatar' || !safe(i.getAttribute('src') ?? '', ['http:', 'https:']))
        .map((i) => i.outerHTML.slice(0, 200)),
      handlerAttrs: els.flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name) || a.name === 'style' || a.name === 'srcdoc').map((a) => `${e.localName} ${a.name}`)),
      // The widget's own icons (launcher, close, attach) sit directly in one of its buttons, hidden from assistive
      // tech; any other <svg> came from content.
      foreignSvgs: els
        .filter((e) => e.localName === 'svg')
        .filter((e) => e.parentElement?.localName !== 'button' || e.getAttribute('aria-hidden') !== 'true')
        .map((e) => e.outerHTML.slice(0, 200)),
      iconCount: els.filter((e) => e.localName === 'svg').length,
      pageExtras: [...document.querySelectorAll('body *')].filter((e) => e !== host && !['H1'].includes(e.tagName)).map((e) => e.tagName),
    };
  }, ALLOWED_TAGS);
}

async function expectClean(p: Page, label: string): Promise<void> {
  const a = await audit(p);
  expect(a.hits, `${label}: tripwire fired`).toEqual([]);
  expect(a.badTags, `${label}: foreign elements`).toEqual([]);
  expect(a.badLinks, `${label}: unsafe links`).toEqual([]);
  expect(a.badImages, `${label}: unexpected images`).toEqual([]);
  expect(a.handlerAttrs, `${label}: handler or style attributes`).toEqual([]);
  expect(a.foreignSvgs, `${label}: svg from content`).toEqual([]);
  expect(a.iconCount, `${label}: icons`).toBeLessThanOrEqual(3);
  expect(a.pageExtras, `${label}: elements added to the host page`).toEqual([]);
}

const logText = (p: Page): Promise<string> => p.locator('[role=log]').evaluate((el) => el.textContent ?? '');

describe.skipIf(!!skip)('widget XSS corpus (Chromium)', () => {
  it(`renders ${PAYLOADS.length} payloads as inert text in every path`, async () => {
    expect(PAYLOADS.length).toBeGreaterThanOrEqual(200);
    const context = await browser.newContext();
    const { p, errors } = await openPage(context, '/');
    const known = desk.queued.length;
    await p.locator('button.pl').click();
    await p.getByRole('button', { name: 'Talk to a person' }).click();

    // The accepting agent's name is a payload too: header title, "joined" line, message authors.
    const acceptName = '"><img src=x onerror=__xss()>{name}<script>__xss()</script>';
    const acceptor = await desk.connectAgent({ name: acceptName, avatarUrl: AVATARS[0] });
    while (desk.queued.length <= known) await new Promise((r) => setTimeout(r, 25));
    const conversationId = desk.queued[known]!;
    await acceptor.request({ type: 'conversation.accept', conversationId });
    const received: string[] = [];
    acceptor.on('message', (m) => void (m.author.role === 'visitor' && received.push(m.text)));
    await acceptor.join(conversationId);
    await expect.poll(() => p.locator('#pc-title').textContent(), POLL).toBe(acceptName);
    await expectClean(p, 'agent joined');

    // 1. The shopper types the corpus, many payloads per message.
    const visitorBatches = batchPayloads(PAYLOADS, 3900);
    const input = p.locator('#pc-input');
    for (const batch of visitorBatches) {
      await input.fill(batch);
      await input.press('Enter');
    }
    await expect.poll(() => received.length, { timeout: 30_000 }).toBe(visitorBatches.length);
    expect(received).toEqual(visitorBatches);
    await expect.poll(() => p.locator('.pc-mine[data-state=delivered], .pc-mine[data-state=read]').count(), POLL).toBe(visitorBatches.length);
    const shown = await logText(p);
    for (const payload of PAYLOADS) expect(shown.includes(payload.trim()), `not shown verbatim: ${payload.slice(0, 80)}`).toBe(true);
    await expectClean(p, 'visitor messages');

    // 2. The agent sends every payload as its own message; agents named after payloads (and with hostile avatar
    // URLs) write too. The panel is closed meanwhile, so the flood also drives the unread badge.
    await p.keyboard.press('Escape');
    // In waves: the transport's outbox holds at most 500 unacknowledged messages.
    for (let i = 0; i < PAYLOADS.length; i += 200) await Promise.all(PAYLOADS.slice(i, i + 200).map((text) => acceptor.send(conversationId, text).acked));
    const names = batchPayloads(PAYLOADS.filter((x) => x.length <= 480), 500);
    const writers = await Promise.all(names.map((name, i) => desk.connectAgent({ name, avatarUrl: AVATARS[i % AVATARS.length] })));
    await Promise.all(writers.map(async (w, i) => (await w.join(conversationId), w.send(conversationId, `note ${i}`).acked)));
    await expect.poll(() => p.locator('button.pl .pb').textContent(), POLL).toBe('99');
    await expectClean(p, 'agent flood, panel closed');

    await p.locator('button.pl').click();
    await expect.poll(() => logText(p), { timeout: 20_000 }).toContain(`note ${writers.length - 1}`);
    const log = await logText(p);
    for (const payload of PAYLOADS) expect(log.includes(payload.trim()), `agent text not shown verbatim: ${payload.slice(0, 80)}`).toBe(true);
    const authors = await p.locator('.pc-author').allTextContents();
    for (const name of names) expect(authors, `agent name not shown: ${name.slice(0, 80)}`).toContain(name.trim());
    await expectClean(p, 'agent messages and names');

    // 3. After a reload the history comes back through the same rendering, from the server.
    await p.reload();
    await p.locator('button.pl').click();
    await expect.poll(() => logText(p), POLL).toContain(`note ${writers.length - 1}`);
    await expectClean(p, 'history after reload');

    // 4. Pre-chat form: every payload typed as the name and the e-mail, then one hand-off with hostile values.
    const pre = await openPage(await browser.newContext(), '/prechat');
    await pre.p.locator('button.pl').click();
    await pre.p.getByRole('button', { name: 'Talk to a person' }).click();
    for (const value of batchPayloads(PAYLOADS.filter((x) => x.length <= 190), 190, ' ')) {
      await pre.p.locator('#pc-pre-name').fill(value);
      // Without "@" the address is refused, so the form (and its error message) stays for the next round.
      await pre.p.locator('#pc-pre-email').fill(value.replace(/[\s@]/g, ''));
      await pre.p.locator('form.pc-form button[type=submit]').click();
      // A one-line input turns typed line breaks into spaces; everything else stays as typed.
      const squash = (x: string): string => x.replace(/\s+/g, ' ');
      expect(squash(await pre.p.locator('#pc-pre-name').inputValue())).toBe(squash(value));
      await pre.p.locator('#pc-pre-email[aria-invalid=true]').waitFor();
    }
    await expectClean(pre.p, 'pre-chat form');
    const preKnown = desk.queued.length;
    await pre.p.locator('#pc-pre-name').fill('"><svg onload=__xss()>');
    await pre.p.locator('#pc-pre-email').fill('"><img/src=x/onerror=__xss()>@x.example');
    await pre.p.locator('form.pc-form button[type=submit]').click();
    await expect.poll(() => desk.queued.length, POLL).toBeGreaterThan(preKnown);
    await expectClean(pre.p, 'pre-chat hand-off');

    expect([...errors, ...pre.errors]).toEqual([]);
    await context.close();
    await pre.p.context().close();
  }, 120_000);
});
