// Series fed by domain events, read back from the exposition text: ratings are split by scale, so scores on
// different scales never add up in one series.

import { describe, expect, it } from 'vitest';
import type { DomainEvent } from './domain-events.js';
import { createServerMetrics } from './server-metrics.js';

const rating = (scale: 'csat' | 'nps' | 'ces', score: number): DomainEvent => ({ type: 'rating.created', rating: { conversationId: `c_${scale}_${score}`, score, scale, at: 1 } });

describe('parley_ratings_total', () => {
  it('counts each rating under its scale and score', async () => {
    const metrics = createServerMetrics({ connections: () => ({ visitor: 0, agent: 0 }), queues: () => Promise.resolve([]), now: () => 0 });
    for (const event of [rating('csat', 5), rating('csat', 5), rating('nps', 5), rating('ces', 5), rating('nps', 10)]) metrics.onEvent(event);
    const lines = (await metrics.render()).split('\n').filter((line) => line.startsWith('parley_ratings_total'));
    expect(lines.sort()).toEqual([
      'parley_ratings_total{scale="ces",score="5"} 1',
      'parley_ratings_total{scale="csat",score="5"} 2',
      'parley_ratings_total{scale="nps",score="10"} 1',
      'parley_ratings_total{scale="nps",score="5"} 1',
    ]);
  });
});
