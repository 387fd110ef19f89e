import { describe, expect, it } from 'vitest';
import { luminance, themeCss } from './theme.js';

const contrast = (a: number, b: number): number => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);

describe('luminance', () => {
  it('matches WCAG for black, white and the default accent', () => {
    expect(luminance('#000000')).toBe(0);
    expect(luminance('#ffffff')).toBeCloseTo(1);
    // Default accent #1a56db with white text: comfortably above 4.5:1.
    expect(contrast(luminance('#1a56db')!, 1)).toBeGreaterThan(5.5);
    expect(luminance('red')).toBeUndefined();
  });
});

describe('themeCss', () => {
  it.each(['#ffd400', '#00a0ff', '#1a56db', '#777777', '#b91c1c', '#0f766e', '#f59e0b', '#6b21a8'])('keeps ≥ 4.5:1 text on %s', (color) => {
    const css = themeCss({ color });
    const fg = /--pf:(#\w+)/.exec(css)![1]!;
    expect(contrast(luminance(color)!, fg === '#fff' ? 1 : 0)).toBeGreaterThanOrEqual(4.5);
  });

  it('drops colours that could inject CSS', () => {
    expect(themeCss({ color: 'red;}*{display:none' })).toBe('');
    expect(themeCss({ color: 'url(x.png)' })).toBe('');
    expect(themeCss({})).toBe('');
  });
});
