import type { RatingRecord } from '../storage/storage.js';
export interface CsatAgentRow {
    agentId: string;
    name: string;
    count: number;
    /** Mean score, 1–5, rounded to two decimals. */
    average: number;
}
export interface CsatDay {
    /** UTC date, `YYYY-MM-DD`. */
    day: string;
    count: number;
    /** Mean score that day; null on days without ratings. */
    average: number | null;
}
export interface CsatStats {
    since: number;
    days: number;
    count: number;
    average: number | null;
    perAgent: CsatAgentRow[];
    /** One entry per day from `since` to today, oldest first, empty days included so charts need no gap logic. */
    perDay: CsatDay[];
}
/** Start of the UTC day `days - 1` days before `nowMs`: the window then holds `days` calendar days. */
export declare function csatWindowStart(nowMs: number, days: number): number;
export declare function summarizeCsat(ratings: readonly RatingRecord[], nowMs: number, days: number): CsatStats;
