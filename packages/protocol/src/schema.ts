// A tiny structural validator for decoded JSON: checks types, bounds and lengths, and copies known fields only.

import type { ErrorCode } from './errors.js';
import type { Limits } from './limits.js';

type LimitKey = { [K in keyof Limits]: Limits[K] extends number ? K : never }[keyof Limits];

export type Schema =
  | { t: 'str'; max: LimitKey; min?: number; opt?: boolean }
  | { t: 'int'; min: number; max: number; opt?: boolean }
  | { t: 'num'; min: number; max: number; opt?: boolean }
  | { t: 'bool'; opt?: boolean }
  | { t: 'enum'; values: readonly string[]; opt?: boolean }
  | { t: 'obj'; fields: Readonly<Record<string, Schema>>; opt?: boolean }
  // `unique`: only on lists of strings (`labels`), so the check below may trim items.
  | { t: 'arr'; of: Schema; max: LimitKey; opt?: boolean; unique?: true };

export interface SchemaIssue {
  code: ErrorCode;
  message: string;
}

// Constructors keep the frame tables readable. Marked free of side effects so bundlers drop the tables a build
// never reads (the widget's transport chunk only decodes server frames).
export const str = /*#__NO_SIDE_EFFECTS__*/ (max: LimitKey = 'maxLabelLength', min = 0): Schema => ({ t: 'str', max, min });
export const int = /*#__NO_SIDE_EFFECTS__*/ (min = 0, max = Number.MAX_SAFE_INTEGER): Schema => ({ t: 'int', min, max });
export const num = /*#__NO_SIDE_EFFECTS__*/ (min: number, max: number): Schema => ({ t: 'num', min, max });
export const bool = /*#__NO_SIDE_EFFECTS__*/ (): Schema => ({ t: 'bool' });
export const oneOf = /*#__NO_SIDE_EFFECTS__*/ (...values: string[]): Schema => ({ t: 'enum', values });
export const obj = /*#__NO_SIDE_EFFECTS__*/ (fields: Record<string, Schema>): Schema => ({ t: 'obj', fields });
export const arr = /*#__NO_SIDE_EFFECTS__*/ (of: Schema, max: LimitKey): Schema => ({ t: 'arr', of, max });
/** Strings shown as buttons keyed by their text: none blank, no two alike. */
export const labels = /*#__NO_SIDE_EFFECTS__*/ (max: LimitKey, maxItems: LimitKey): Schema => ({ t: 'arr', of: str(max), max: maxItems, unique: true });
export const opt = /*#__NO_SIDE_EFFECTS__*/ (s: Schema): Schema => ({ ...s, opt: true });

const hasOwn = Object.prototype.hasOwnProperty;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates `value` against `schema`; returns the cleaned value (unknown keys dropped) or an issue.
 * Unknown keys are ignored rather than refused so that newer clients can add optional fields.
 */
export function check(value: unknown, schema: Schema, limits: Limits, path: string): { value: unknown } | SchemaIssue {
  const bad = (what: string): SchemaIssue => ({ code: 'PROTOCOL_BAD_FRAME', message: `${path} must be ${what}` });
  switch (schema.t) {
    case 'str': {
      if (typeof value !== 'string') return bad('a string');
      const max = limits[schema.max];
      if (value.length > max) {
        return { code: 'PROTOCOL_STRING_TOO_LONG', message: `${path} is longer than ${max} characters` };
      }
      if (value.length < (schema.min ?? 0)) return bad(`at least ${schema.min} characters`);
      // U+0000 has no use in chat text and PostgreSQL cannot store it; refusing it keeps every store alike.
      if (value.includes('\u0000')) return bad('free of NUL characters');
      return { value };
    }
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < schema.min || value > schema.max) {
        return bad(`an integer in [${schema.min}, ${schema.max}]`);
      }
      return { value };
    case 'num':
      if (typeof value !== 'number' || !Number.isFinite(value) || value < schema.min || value > schema.max) {
        return bad(`a number in [${schema.min}, ${schema.max}]`);
      }
      return { value };
    case 'bool':
      return typeof value === 'boolean' ? { value } : bad('a boolean');
    case 'enum':
      return typeof value === 'string' && schema.values.includes(value)
        ? { value }
        : bad(`one of ${schema.values.join(', ')}`);
    case 'arr': {
      if (!Array.isArray(value)) return bad('an array');
      const max = limits[schema.max];
      if (value.length > max) return bad(`at most ${max} items`);
      const out: unknown[] = [];
      for (let i = 0; i < value.length; i++) {
        const r = check(value[i], schema.of, limits, `${path}[${i}]`);
        if (!('value' in r)) return r;
        if (schema.unique && (!(r.value as string).trim() || out.includes(r.value))) return bad('distinct and not blank');
        out.push(r.value);
      }
      return { value: out };
    }
    case 'obj': {
      if (!isPlainObject(value)) return bad('an object');
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(schema.fields)) {
        const field = schema.fields[key]!;
        if (!hasOwn.call(value, key) || value[key] === undefined || value[key] === null) {
          if (field.opt) continue;
          return { code: 'PROTOCOL_BAD_FRAME', message: `${path}.${key} is required` };
        }
        const r = check(value[key], field, limits, `${path}.${key}`);
        if (!('value' in r)) return r;
        out[key] = r.value;
      }
      return { value: out };
    }
  }
}
