import { describe, expect, it } from 'vitest';
import { linkify, safeHref, safeImageSrc } from './linkify.js';

describe('linkify', () => {
  it('links http, https and bare emails, trimming trailing punctuation', () => {
    expect(linkify('See https://shop.test/help. Or mail help@shop.test!')).toEqual([
      { text: 'See ' },
      { text: 'https://shop.test/help', href: 'https://shop.test/help' },
      { text: '. Or mail ' },
      { text: 'help@shop.test', href: 'mailto:help@shop.test' },
      { text: '!' },
    ]);
  });

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    '<img src=x onerror=alert(1)>',
    'file:///etc/passwd',
  ])('never links %s', (hostile) => {
    expect(linkify(hostile).every((s) => !s.href)).toBe(true);
    expect(linkify(hostile).map((s) => s.text).join('')).toBe(hostile);
  });

  it('keeps text intact around links', () => {
    const text = 'a http://x.test/(b) c mailto:z@x.test';
    expect(linkify(text).map((s) => s.text).join('')).toBe(text);
  });
});

describe('safeHref', () => {
  it('accepts only http, https and mailto', () => {
    expect(safeHref('https://x.test')).toBe('https://x.test/');
    expect(safeHref('mailto:a@x.test')).toBe('mailto:a@x.test');
    expect(safeHref('javascript:alert(1)')).toBeUndefined();
    expect(safeHref('not a url')).toBeUndefined();
  });

  it('draws avatars only from absolute http(s) URLs', () => {
    expect(safeImageSrc('https://cdn.shop.test/a.png')).toBe('https://cdn.shop.test/a.png');
    for (const bad of ['javascript:alert(1)', 'data:image/svg+xml,<svg onload=alert(1)>', 'mailto:a@b.test', '//evil.test/a.png', 'x" onerror="alert(1)', '', undefined]) {
      expect(safeImageSrc(bad)).toBeUndefined();
    }
  });
});
