// Test-only DOM: jsdom 26 installed on globalThis when imported (first import of a DOM test file).
// Why not `@vitest-environment jsdom`: the root's jsdom 31 needs Node ≥ 22 (its undici uses zstd) and this
// machine runs Node 20, and vitest only accepts environment names (not paths) in the file comment.
/* eslint-disable @typescript-eslint/no-explicit-any -- patching jsdom's untyped window. */
import { JSDOM } from 'jsdom';
import { populateGlobal } from 'vitest/environments';

const dom = new JSDOM('<!DOCTYPE html><html><head></head><body></body></html>', {
  url: 'http://localhost:3000/',
  pretendToBeVisual: true,
});
const win = dom.window as unknown as Record<string, any>;
// Node's own versions are closer to browsers than jsdom's (or jsdom has none).
for (const name of ['BroadcastChannel', 'fetch', 'Response', 'Headers', 'AbortController', 'AbortSignal', 'URL']) {
  win[name] = (globalThis as Record<string, unknown>)[name];
}
// jsdom 26 has no constructable stylesheets: a shim that keeps the CSS text, so tests can assert on it.
win.CSSStyleSheet = class {
  cssText = '';
  replaceSync(css: string): void {
    this.cssText = css;
  }
};
for (const proto of [win.ShadowRoot.prototype, win.Document.prototype]) {
  Object.defineProperty(proto, 'adoptedStyleSheets', {
    get(this: { _sheets?: unknown[] }) {
      return this._sheets ?? [];
    },
    set(this: { _sheets?: unknown[] }, v: unknown[]) {
      this._sheets = v;
    },
  });
}
populateGlobal(globalThis, dom.window, { bindFunctions: true });
(globalThis as Record<string, unknown>).CSSStyleSheet = win.CSSStyleSheet;
