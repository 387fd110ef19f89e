// Builds the theme stylesheet from config: accent colour (validated) and a text colour that keeps ≥ 4.5:1 contrast.
import type { WidgetTheme } from './embed-api.js';

/**
 * Relative luminance (WCAG 2.x) of `#rrggbb`, or undefined for other syntaxes (they get white text: give a
 * six-digit hex colour to have the text colour chosen for contrast).
 */
export function luminance(hex: string): number | undefined {
  if (!/^#[\da-f]{6}$/i.test(hex)) return undefined;
  const n = parseInt(hex.slice(1), 16);
  // The 2.2 power curve stays within 0.5% of sRGB's piecewise one over the range that decides 4.5:1, for fewer bytes.
  const c = (shift: number): number => (((n >> shift) & 255) / 255) ** 2.2;
  return 0.2126 * c(16) + 0.7152 * c(8) + 0.0722 * c(0);
}

// A colour goes into CSS text, so only plain colour syntaxes pass: no `;`, `}` or `url(`.
const COLOR = /^(#[\da-f]{3,8}|(rgb|hsl)a?\([\d\s.,%/]+\)|[a-z]{3,20})$/i;

/** CSS for the theme sheet: `--pa` accent and `--pf` text on accent. Unknown colours are ignored. */
export function themeCss(theme: WidgetTheme | undefined): string {
  const color = theme?.color?.trim();
  if (!color || !COLOR.test(color)) return '';
  const l = luminance(color);
  // White and black give equal contrast at L = 0.179, where both are 4.58:1; so the better one is always ≥ 4.5:1.
  const fg = l !== undefined && l > 0.179 ? '#000' : '#fff';
  // !important, like the defaults in launcher-css.ts: the page's own rules on the host element must not win.
  return `:host{--pa:${color}!important;--pf:${fg}!important}`;
}

/** A constructable stylesheet, so a strict CSP (no 'unsafe-inline' styles) is never violated. */
export function sheet(css: string): CSSStyleSheet {
  const s = new CSSStyleSheet();
  s.replaceSync(css);
  return s;
}
