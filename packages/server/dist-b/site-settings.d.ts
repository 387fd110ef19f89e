import { type RatingScale } from '@parley/protocol';
import type { BusinessHours, PreChatField, SiteTheme } from './storage/storage.js';
export declare const MAX_GREETING_LENGTH = 500;
/** `{ timezone, days: [{ day, open, close }] }`, one range per weekday (0 = Sunday), `open` before `close`. */
export declare function parseBusinessHours(value: unknown): BusinessHours;
/** `{ color?, position?, greeting? }` with the widget's own names and values. */
export declare function parseTheme(value: unknown): SiteTheme;
/** `"csat"` (1–5, the default), `"ces"` (1–7) or `"nps"` (0–10). */
export declare function parseRatingScale(value: unknown): RatingScale;
/** `["name", "email"]` (any subset, each once): what the widget asks before the hand-off. */
export declare function parsePreChat(value: unknown): PreChatField[];
/** A stored pre-chat list, or undefined for none or for anything unreadable (rows are a boundary too). */
export declare function toPreChat(value: unknown): PreChatField[] | undefined;
