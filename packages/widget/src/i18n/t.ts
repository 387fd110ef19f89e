// Message lookup and interpolation for one locale, plus Intl formatters. No fetching here (see load-locale.ts).

export type Messages = Record<string, string>;

/** A translator bound to one locale. */
export interface Translator {
  locale: string;
  dir: 'ltr' | 'rtl';
  t(key: string, vars?: Record<string, string | number>): string;
  time(at: number): string;
  minutes(seconds: number): string;
}

const RTL = /^(ar|he|fa|ur)\b/i;

/** `{name}` placeholders are replaced by `vars`; numbers go through `Intl.NumberFormat`. A missing key shows the key. */
export function createTranslator(locale: string, messages: Messages): Translator {
  const num = new Intl.NumberFormat(locale);
  return {
    locale,
    dir: RTL.test(locale) ? 'rtl' : 'ltr',
    t: (key, vars) =>
      (messages[key] ?? key).replace(/\{(\w+)\}/g, (m, name: string) => {
        const v = vars?.[name];
        return v === undefined ? m : typeof v === 'number' ? num.format(v) : v;
      }),
    time: (at) => new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' }).format(at),
    minutes: (seconds) =>
      new Intl.NumberFormat(locale, { style: 'unit', unit: 'minute', unitDisplay: 'long' }).format(Math.max(1, Math.round(seconds / 60))),
  };
}
