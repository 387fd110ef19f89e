// The launcher bubble: a real <button> in the shadow root. Plain DOM (it ships in the loader, without Preact).
// The loader only draws it and marks it unavailable; the app adds the unread badge and keeps label, expanded
// state and badge in sync (launcher-sync.ts), so that code is not in the loader's 2 kB.

const CHAT_ICON = 'M4 5h16v11H9l-5 4z';
const SVG = 'http://www.w3.org/2000/svg';

export interface Launcher {
  button: HTMLButtonElement;
  /** The app failed to load: grey, and the label says so. Clicking retries. */
  setUnavailable(isUnavailable: boolean): void;
}

const attrs = (el: Element, values: Record<string, string>): void => {
  for (const k in values) el.setAttribute(k, values[k]!);
};

export function createLauncher(root: ShadowRoot, icon: string | undefined, label: string): Launcher {
  const doc = root.ownerDocument;
  const button = doc.createElement('button');
  const svg = doc.createElementNS(SVG, 'svg');
  const path = doc.createElementNS(SVG, 'path');
  attrs(button, { type: 'button', class: 'pl', 'aria-haspopup': 'dialog', 'aria-expanded': 'false', 'aria-label': label });
  attrs(svg, { viewBox: '0 0 24 24', 'aria-hidden': 'true' });
  // setAttribute never parses markup, so any string is safe here; a malformed path just draws nothing.
  attrs(path, { d: icon || CHAT_ICON });
  svg.append(path);
  button.append(svg);
  root.append(button);
  return {
    button,
    setUnavailable(isOff) {
      button.toggleAttribute('data-off', isOff);
      button.setAttribute('aria-label', isOff ? 'Chat unavailable' : label);
    },
  };
}
