// CSAT figures from ratings: overall, per agent and per UTC day. Pure; the API router fetches the ratings. Only
// ratings on the csat scale count: a site that switched to ces or nps keeps its earlier CSAT history, unmixed.

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

const DAY_MS = 24 * 60 * 60 * 1000;
const round2 = (n: number): number => Math.round(n * 100) / 100;
const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Start of the UTC day `days - 1` days before `nowMs`: the window then holds `days` calendar days. */
export function csatWindowStart(nowMs: number, days: number): number {
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  return today - (days - 1) * DAY_MS;
}

export function summarizeCsat(ratings: readonly RatingRecord[], nowMs: number, days: number): CsatStats {
  const since = csatWindowStart(nowMs, days);
  const byDay = new Map<string, { sum: number; count: number }>();
  const byAgent = new Map<string, { name: string; sum: number; count: number }>();
  let sum = 0;
  let count = 0;
  for (const r of ratings) {
    if (r.at < since || r.scale !== 'csat') continue;
    sum += r.score;
    count++;
    const day = byDay.get(utcDay(r.at)) ?? { sum: 0, count: 0 };
    day.sum += r.score;
    day.count++;
    byDay.set(utcDay(r.at), day);
    if (r.agent !== undefined) {
      const agent = byAgent.get(r.agent.id) ?? { name: r.agent.name, sum: 0, count: 0 };
      agent.sum += r.score;
      agent.count++;
      byAgent.set(r.agent.id, agent);
    }
  }
  const perDay: CsatDay[] = [];
  for (let i = 0; i < days; i++) {
    const day = utcDay(since + i * DAY_MS);
    const bucket = byDay.get(day);
    perDay.push({ day, count: bucket?.count ?? 0, average: bucket === undefined ? null : round2(bucket.sum / bucket.count) });
  }
  const perAgent = [...byAgent.entries()]
    .map(([agentId, a]) => ({ agentId, name: a.name, count: a.count, average: round2(a.sum / a.count) }))
    .sort((a, b) => b.average - a.average || b.count - a.count || a.name.localeCompare(b.name));
  return { since, days, count, average: count === 0 ? null : round2(sum / count), perAgent, perDay };
}
