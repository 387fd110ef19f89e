// Picks the shipped locale for a tag and fetches its JSON on demand. Never throws: falls back to English, then to keys.
import type { Messages } from './t.js';

/** Locales shipped in `dist/locales/`. */
export const LOCALES = ['en', 'es', 'fr', 'de', 'pt', 'it', 'nl', 'ja', 'ar', 'he'] as const;

/** `pt-BR` → `pt`; unknown → `en`. */
export function pickLocale(tag: string | undefined): string {
  const base = (tag ?? '').toLowerCase().split(/[-_]/)[0] ?? '';
  return (LOCALES as readonly string[]).includes(base) ? base : 'en';
}

/**
 * Fetch `<baseUrl>locales/<lang>.json`. On failure tries English; if that fails too, resolves `{}` and reports, so
 * the widget still works (it shows keys, which is ugly but usable) rather than not opening.
 */
export async function loadLocale(lang: string, baseUrl: string, report: (e: unknown) => void): Promise<Messages> {
  for (const l of lang === 'en' ? ['en'] : [lang, 'en']) {
    try {
      const res = await fetch(new URL(`locales/${l}.json`, baseUrl));
      if (!res.ok) throw new Error(`HTTP ${res.status} for locales/${l}.json`);
      const data: unknown = await res.json();
      if (typeof data === 'object' && data !== null) return data as Messages;
    } catch (e) {
      report(e);
    }
  }
  return {};
}
