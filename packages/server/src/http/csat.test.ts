import { describe, expect, it } from 'vitest';
import { csatWindowStart, summarizeCsat } from './csat.js';

const DAY = 86_400_000;
const now = Date.UTC(2025, 4, 31, 15, 0);

describe('summarizeCsat', () => {
  it('averages overall, per agent (best first) and per UTC day with empty days present', () => {
    const alice = { id: 'a1', name: 'Alice' };
    const bob = { id: 'a2', name: 'Bob' };
    const stats = summarizeCsat(
      [
        { conversationId: 'c0', score: 1, scale: 'csat', at: csatWindowStart(now, 3) - 1, agent: alice },
        { conversationId: 'c1', score: 5, scale: 'csat', at: now - 2 * DAY, agent: alice },
        { conversationId: 'c2', score: 4, scale: 'csat', at: now, agent: alice },
        { conversationId: 'c3', score: 2, scale: 'csat', at: now, agent: bob },
        { conversationId: 'c4', score: 3, scale: 'csat', at: now },
        // Other scales are not satisfaction: a 10 on nps or a 7 on ces would skew a 1–5 average.
        { conversationId: 'c5', score: 10, scale: 'nps', at: now, agent: bob },
        { conversationId: 'c6', score: 7, scale: 'ces', at: now, agent: bob },
      ],
      now,
      3,
    );
    expect(stats.since).toBe(Date.UTC(2025, 4, 29));
    expect(stats).toMatchObject({ count: 4, average: 3.5, days: 3 });
    expect(stats.perAgent).toEqual([
      { agentId: 'a1', name: 'Alice', count: 2, average: 4.5 },
      { agentId: 'a2', name: 'Bob', count: 1, average: 2 },
    ]);
    expect(stats.perDay).toEqual([
      { day: '2025-05-29', count: 1, average: 5 },
      { day: '2025-05-30', count: 0, average: null },
      { day: '2025-05-31', count: 3, average: 3 },
    ]);
  });

  it('has no average without ratings', () => {
    expect(summarizeCsat([], now, 2)).toMatchObject({ count: 0, average: null, perAgent: [] });
  });
});
