import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LOCALES, pickLocale } from './load-locale.js';
import { createTranslator } from './t.js';

const dir = new URL('./locales/', import.meta.url);
const read = (lang: string): Record<string, string> => JSON.parse(readFileSync(new URL(`${lang}.json`, dir), 'utf8'));
const en = read('en');
const placeholders = (s: string): string[] => [...s.matchAll(/\{\w+\}/g)].map((m) => m[0]).sort();

describe('locale files', () => {
  it('ships exactly the declared locales', () => {
    expect(readdirSync(dir).map((f) => f.replace('.json', '')).sort()).toEqual([...LOCALES].sort());
  });

  it.each(LOCALES.filter((l) => l !== 'en'))('%s has every key with the same placeholders', (lang) => {
    const messages = read(lang);
    expect(Object.keys(messages).sort()).toEqual(Object.keys(en).sort());
    for (const [k, v] of Object.entries(en)) expect([k, placeholders(messages[k]!)]).toEqual([k, placeholders(v)]);
  });

  it('covers every literal key the components use', () => {
    const src = new URL('../', import.meta.url);
    const files = readdirSync(src, { recursive: true }).map(String).filter((f) => /\.(tsx?)$/.test(f) && !f.includes('.test.'));
    const used = new Set<string>();
    for (const f of files) for (const m of readFileSync(new URL(f, src), 'utf8').matchAll(/\bt\('([\w.]+)'/g)) used.add(m[1]!);
    for (const key of ['message.sending', 'message.delivered', 'message.read', 'message.failed', 'prechat.name', 'prechat.email']) used.add(key);
    expect([...used].filter((k) => !(k in en))).toEqual([]);
  });
});

describe('createTranslator', () => {
  it('interpolates with Intl number formatting and marks RTL', () => {
    const ar = createTranslator('ar', { 'queue.position': 'ترتيبك {position} في قائمة الانتظار.' });
    expect(ar.dir).toBe('rtl');
    expect(ar.t('queue.position', { position: 1234 })).toBe(`ترتيبك ${new Intl.NumberFormat('ar').format(1234)} في قائمة الانتظار.`);
    expect(createTranslator('he', {}).dir).toBe('rtl');
    const de = createTranslator('de', {});
    expect(de.dir).toBe('ltr');
    expect(de.minutes(150)).toBe('3 Minuten');
    expect(de.t('missing.key')).toBe('missing.key');
  });
});

describe('pickLocale', () => {
  it('maps tags to shipped locales', () => {
    expect(pickLocale('pt-BR')).toBe('pt');
    expect(pickLocale('zh-CN')).toBe('en');
    expect(pickLocale(undefined)).toBe('en');
  });
});
