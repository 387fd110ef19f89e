// Validation of a site's public settings as an admin sends them: business hours, the widget theme, the rating
// scale and the pre-chat form. Pure; bad input throws ParleyError PROTOCOL_BAD_FRAME with a message that names the field.

import { ParleyError, type RatingScale } from '@parley/protocol';
import { isRatingScale } from './rating-scale.js';
import type { BusinessHours, PreChatField, SiteTheme } from './storage/storage.js';

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const COLOR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
export const MAX_GREETING_LENGTH = 500;

function bad(message: string): ParleyError {
  return new ParleyError('PROTOCOL_BAD_FRAME', message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** `{ timezone, days: [{ day, open, close }] }`, one range per weekday (0 = Sunday), `open` before `close`. */
export function parseBusinessHours(value: unknown): BusinessHours {
  if (!isObject(value)) throw bad('businessHours must be an object { timezone, days }');
  const { timezone, days } = value;
  if (typeof timezone !== 'string' || timezone.length > 64 || !isTimeZone(timezone)) {
    throw bad('businessHours.timezone must be an IANA time zone such as "Europe/Lisbon"');
  }
  if (!Array.isArray(days) || days.length > 7) throw bad('businessHours.days must be a list of at most 7 days');
  const seen = new Set<number>();
  const parsed = days.map((item, i) => {
    if (!isObject(item)) throw bad(`businessHours.days[${i}] must be { day, open, close }`);
    const { day, open, close } = item;
    if (typeof day !== 'number' || !Number.isInteger(day) || day < 0 || day > 6) throw bad(`businessHours.days[${i}].day must be 0 (Sunday) to 6 (Saturday)`);
    if (seen.has(day)) throw bad(`businessHours.days lists day ${day} twice`);
    seen.add(day);
    if (typeof open !== 'string' || !TIME.test(open) || typeof close !== 'string' || !TIME.test(close)) {
      throw bad(`businessHours.days[${i}]: open and close must be times like "09:00"`);
    }
    // HH:MM strings compare in time order.
    if (open >= close) throw bad(`businessHours.days[${i}]: open (${open}) must be before close (${close})`);
    return { day, open, close };
  });
  return { timezone, days: parsed.sort((a, b) => a.day - b.day) };
}

/** `{ color?, position?, greeting? }` with the widget's own names and values. */
export function parseTheme(value: unknown): SiteTheme {
  if (!isObject(value)) throw bad('theme must be an object { color?, position?, greeting? }');
  const unknown = Object.keys(value).filter((k) => k !== 'color' && k !== 'position' && k !== 'greeting');
  if (unknown.length > 0) throw bad(`theme has unknown fields: ${unknown.join(', ')}`);
  const theme: SiteTheme = {};
  if (value.color !== undefined) {
    if (typeof value.color !== 'string' || !COLOR.test(value.color)) throw bad('theme.color must be a hex colour like #0a7 or #00aa77');
    theme.color = value.color.toLowerCase();
  }
  if (value.position !== undefined) {
    if (value.position !== 'left' && value.position !== 'right') throw bad('theme.position must be "left" or "right"');
    theme.position = value.position;
  }
  if (value.greeting !== undefined) {
    if (typeof value.greeting !== 'string' || value.greeting.length > MAX_GREETING_LENGTH) throw bad(`theme.greeting must be at most ${MAX_GREETING_LENGTH} characters`);
    const greeting = value.greeting.trim();
    if (greeting !== '') theme.greeting = greeting;
  }
  return theme;
}

/** `"csat"` (1–5, the default), `"ces"` (1–7) or `"nps"` (0–10). */
export function parseRatingScale(value: unknown): RatingScale {
  if (!isRatingScale(value)) throw bad('ratingScale must be "csat" (1–5), "ces" (1–7) or "nps" (0–10)');
  return value;
}

const PRE_CHAT_FIELDS: readonly PreChatField[] = ['name', 'email'];

/** `["name", "email"]` (any subset, each once): what the widget asks before the hand-off. */
export function parsePreChat(value: unknown): PreChatField[] {
  if (!Array.isArray(value) || value.length > PRE_CHAT_FIELDS.length || new Set(value).size !== value.length) {
    throw bad('preChat must be a list of "name" and "email", each at most once');
  }
  for (const f of value) if (!(PRE_CHAT_FIELDS as unknown[]).includes(f)) throw bad('preChat may hold only "name" and "email"');
  return value as PreChatField[];
}

/** A stored pre-chat list, or undefined for none or for anything unreadable (rows are a boundary too). */
export function toPreChat(value: unknown): PreChatField[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const fields = value.filter((f): f is PreChatField => (PRE_CHAT_FIELDS as unknown[]).includes(f));
  return fields.length === 0 ? undefined : [...new Set(fields)];
}
