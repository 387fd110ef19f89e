// Style isolation in real Chromium: a hostile host stylesheet changes nothing inside the widget's shadow root (nor
// the host element's box), and the widget's CSS changes nothing on the host page.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium } from '../support/browser.js';
import { collectPageErrors, hostPage, startWidgetSite, WIDGET_FILES, type WidgetSite } from '../support/widget-page.js';

const skip = browserSkipReason(WIDGET_FILES);

// Global rules a theme or a careless reset might ship, rules aimed at the widget's host element and its custom
// properties, and pseudo-elements on everything. Rules that hide the host on purpose (display:none) are the site's
// right and are left out. <head> stays hidden: shown, its inline snippet's text (longer with a boot call) would
// differ between the pages compared.
const HOSTILE_CSS = `
* { all: unset; font-size: 40px !important; color: red !important; display: block !important; line-height: 3 !important;
    letter-spacing: 4px !important; text-transform: uppercase !important; box-sizing: content-box !important; }
*, :root { --pa: #f0f !important; --pf: #0f0 !important; --pbg: #000 !important; --ptx: #ff0 !important; --pmu: #0ff !important;
    --pbd: #f00 !important; --psf: #00f !important; --pvh: 10px !important; }
*::before, *::after { content: "!!" !important; display: block !important; width: 300px !important; height: 300px !important; }
html, body { font: italic 30px/4 "Comic Sans MS", cursive !important; direction: ltr; cursor: wait !important; }
button { position: fixed !important; top: 0 !important; left: 0 !important; width: 500px !important; height: 500px !important;
    background: yellow !important; border: 9px dashed blue !important; }
div { transform: rotate(3deg) !important; opacity: .5 !important; filter: blur(2px) !important; z-index: -1 !important;
    position: static !important; margin: 30px !important; padding: 30px !important; outline: 5px solid green !important; }
body > div:last-child, div[data-pos], div[data-mode] { width: 1px !important; height: 1px !important; overflow: hidden !important;
    bottom: auto !important; right: auto !important; top: 50% !important; left: 50% !important; pointer-events: none !important; }
textarea, input { font-size: 8px !important; background: black !important; }
head { display: none !important; }
svg, path { fill: red !important; stroke: none !important; width: 500px !important; }
`;

// Ends with a <footer>: the widget's host <div> is appended to <body>, so `body > div:last-child` moves to it by design.
const BODY = '<h1>Shop</h1><p>Text with <a href="/x">a link</a>.</p><button id="host-button">Buy</button><input id="host-input"><div class="card">Card</div><footer>Footer</footer>';
const PROPS = [
  'display', 'position', 'top', 'right', 'bottom', 'left', 'width', 'height', 'margin-top', 'margin-left', 'padding-top', 'padding-left',
  'font-size', 'font-family', 'font-weight', 'font-style', 'line-height', 'letter-spacing', 'text-transform', 'text-align', 'color',
  'background-color', 'border-top-width', 'border-top-style', 'border-top-color', 'border-top-left-radius', 'transform', 'opacity',
  'filter', 'visibility', 'z-index', 'box-sizing', 'cursor', 'outline-style', 'outline-width', 'box-shadow', 'white-space', 'direction',
  'pointer-events', 'overflow-y', 'fill', 'stroke',
];

let site: WidgetSite;
let browser: Browser;

beforeAll(async () => {
  if (skip) return;
  const boot = { server: 'ws://127.0.0.1:9/ws/visitor', siteKey: 'css', locale: 'en', faqUrl: '/faq.json' };
  const hostile = `<style>${HOSTILE_CSS}</style>`;
  // No CSP on these pages: the hostile <style> must apply (the CSP suite covers the widget under a strict policy).
  site = await startWidgetSite({
    '/clean': () => ({ html: hostPage({ boot, body: BODY }) }),
    '/hostile': () => ({ html: hostPage({ boot, body: BODY, head: hostile }) }),
    // The same pages with the snippet and loader but no `boot`: the same <head>, and no widget.
    '/plain': () => ({ html: hostPage({ boot: null, body: BODY }) }),
    '/hostile-plain': () => ({ html: hostPage({ boot: null, body: BODY, head: hostile }) }),
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

type StyleMap = Record<string, Record<string, string>>;

/** Computed styles of the host element (with its ::before/::after) and of every element in its shadow root. */
function widgetStyles(p: Page): Promise<StyleMap> {
  return p.evaluate((props) => {
    const out: Record<string, Record<string, string>> = {};
    const read = (key: string, el: Element, pseudo?: string): void => {
      const cs = getComputedStyle(el, pseudo);
      // A pseudo-element with `content: none` draws nothing, whatever else the page sets on it.
      if (pseudo) return void (out[key] = { content: cs.content });
      const r = el.getBoundingClientRect();
      out[key] = Object.fromEntries(props.map((k) => [k, cs.getPropertyValue(k)]));
      out[key]!.box = [r.x, r.y, r.width, r.height].map(Math.round).join(',');
    };
    const host = [...document.body.children].find((e) => e.shadowRoot)!;
    read('host', host);
    read('host::before', host, '::before');
    read('host::after', host, '::after');
    const walk = (parent: ParentNode, path: string): void => {
      [...parent.children].forEach((el, i) => {
        const key = `${path}/${el.tagName.toLowerCase()}${el.getAttribute('class') ? '.' + el.getAttribute('class') : ''}[${i}]`;
        read(key, el);
        walk(el, key);
      });
    };
    walk(host.shadowRoot!, '');
    return out;
  }, PROPS);
}

/** Computed styles of the host page's own elements (the widget's host element excluded). */
function pageStyles(p: Page): Promise<StyleMap> {
  return p.evaluate((props) => {
    const out: Record<string, Record<string, string>> = {};
    const els = [document.documentElement, document.body, ...document.body.querySelectorAll('*')].filter((e) => !e.shadowRoot);
    els.forEach((el, i) => {
      const cs = getComputedStyle(el);
      out[`${el.tagName.toLowerCase()}[${i}]`] = Object.fromEntries(props.map((k) => [k, cs.getPropertyValue(k)]));
    });
    return out;
  }, PROPS);
}

/** Loads `path`, then snapshots the widget closed, and open with a FAQ answer (opened through the API, not the mouse). */
async function snapshotWidget(path: string): Promise<{ closed: StyleMap; open: StyleMap; page: StyleMap; errors: string[] }> {
  const p = await browser.newPage();
  p.setDefaultTimeout(10_000);
  // No entry animations, so both pages are snapshotted in the same (final) state.
  await p.emulateMedia({ reducedMotion: 'reduce', colorScheme: 'light' });
  const errors = collectPageErrors(p);
  await p.goto(site.base + path);
  await p.locator('button.pl').waitFor();
  const closed = await widgetStyles(p);
  await p.evaluate(() => (window as unknown as { Parley(cmd: string): void }).Parley('open'));
  await p.locator('#pc-input').fill('how long does delivery take?');
  await p.locator('#pc-input').press('Enter');
  await p.locator('.pc-answer').waitFor();
  // The same state on both pages: focus out of the input (its focus ring), the answer in the log.
  await p.locator('#pc-input').evaluate((el) => (el as HTMLElement).blur());
  const open = await widgetStyles(p);
  const page = await pageStyles(p);
  await p.close();
  return { closed, open, page, errors };
}

async function snapshotPlain(path: string): Promise<StyleMap> {
  const p = await browser.newPage();
  await p.goto(site.base + path);
  const styles = await pageStyles(p);
  await p.close();
  return styles;
}

/** The entries of `actual` that differ from `expected`, as `key prop: expected → actual`. */
function differences(expected: StyleMap, actual: StyleMap): string[] {
  const out: string[] = [];
  for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const a = expected[key];
    const b = actual[key];
    if (!a || !b) {
      out.push(`${key}: ${a ? 'missing' : 'extra'}`);
      continue;
    }
    for (const prop of Object.keys(a)) if (a[prop] !== b[prop]) out.push(`${key} ${prop}: ${a[prop]} → ${b[prop]}`);
  }
  return out;
}

describe.skipIf(!!skip)('widget style isolation (Chromium)', () => {
  it('looks the same on a page with a hostile stylesheet as on a clean one', async () => {
    const clean = await snapshotWidget('/clean');
    const hostile = await snapshotWidget('/hostile');
    // Sanity: the snapshots cover the launcher, the panel and the answer, and the hostile sheet is really applied.
    expect(Object.keys(clean.open).length).toBeGreaterThan(30);
    expect(Object.keys(clean.open).some((k) => k.includes('pc-answer'))).toBe(true);
    expect(hostile.page['h1[2]']?.color).toBe('rgb(255, 0, 0)');

    expect(differences(clean.closed, hostile.closed)).toEqual([]);
    expect(differences(clean.open, hostile.open)).toEqual([]);
    expect(clean.errors).toEqual([]);
    expect(hostile.errors).toEqual([]);
  });

  it('changes no style of the host page', async () => {
    const [plain, clean, hostilePlain, hostile] = await Promise.all([
      snapshotPlain('/plain'),
      snapshotWidget('/clean'),
      snapshotPlain('/hostile-plain'),
      snapshotWidget('/hostile'),
    ]);
    expect(Object.keys(plain).length).toBeGreaterThanOrEqual(8);
    expect(differences(plain, clean.page)).toEqual([]);
    expect(differences(hostilePlain, hostile.page)).toEqual([]);
  });
});
