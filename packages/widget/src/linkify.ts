// Splits plain text into text and link segments. Only http, https and mailto become links; nothing is parsed as HTML.

export type Segment = { text: string; href?: string };

// Candidates only; every match is re-checked with URL below. Emails become mailto links.
const CANDIDATE = /\b(?:https?:\/\/|mailto:)[^\s<>"']+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+/gi;
const TRAILING = /[.,;:!?)\]}'"»。、]+$/;
const SAFE = new Set(['http:', 'https:', 'mailto:']);

/** The URL to link to, or undefined when `raw` is not a safe absolute http(s)/mailto URL. */
export function safeHref(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    return SAFE.has(url.protocol) ? url.href : undefined;
  } catch {
    // Not a URL at all: it stays plain text.
    return undefined;
  }
}

/** An avatar's URL when it is an absolute http(s) URL, else undefined: no `javascript:`, `data:` or relative tricks. */
export function safeImageSrc(raw: string | undefined): string | undefined {
  const href = raw ? safeHref(raw) : undefined;
  return href?.startsWith('http') ? href : undefined;
}

/**
 * @example
 * linkify('see https://x.io.') // [{text:'see '}, {text:'https://x.io', href:'https://x.io/'}, {text:'.'}]
 */
export function linkify(text: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const m of text.matchAll(CANDIDATE)) {
    let raw = m[0];
    const trail = TRAILING.exec(raw);
    // Keep a closing parenthesis that balances one inside the URL (Wikipedia-style links).
    if (trail && !(raw.includes('(') && trail[0] === ')')) raw = raw.slice(0, -trail[0].length);
    const isEmail = !/^(https?:|mailto:)/i.test(raw);
    const href = safeHref(isEmail ? `mailto:${raw}` : raw);
    if (!href) continue;
    const start = m.index;
    if (start > last) out.push({ text: text.slice(last, start) });
    out.push({ text: raw, href });
    last = start + raw.length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}
