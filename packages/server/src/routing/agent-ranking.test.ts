import { describe, expect, it } from 'vitest';
import type { AgentLoad } from '../storage/routing-store.js';
import { rankAgents } from './agent-ranking.js';

const load = (id: string, over: Partial<AgentLoad> = {}): AgentLoad => ({
  agent: { id, name: id },
  availability: 'online',
  capacity: 3,
  activeCount: 0,
  idleSinceMs: 0,
  ...over,
});

describe('rankAgents', () => {
  it('puts the least loaded first, then the longest idle', () => {
    const ranked = rankAgents([
      load('busy', { activeCount: 2, idleSinceMs: 1 }),
      load('fresh', { activeCount: 0, idleSinceMs: 500 }),
      load('idle-longest', { activeCount: 0, idleSinceMs: 100 }),
      load('one', { activeCount: 1, idleSinceMs: 0 }),
    ]);
    expect(ranked.map((l) => l.agent.id)).toEqual(['idle-longest', 'fresh', 'one', 'busy']);
  });

  it('leaves out agents who are away, offline or at capacity', () => {
    const ranked = rankAgents([
      load('away', { availability: 'away' }),
      load('offline', { availability: 'offline' }),
      load('full', { activeCount: 3 }),
      load('zero', { capacity: 0 }),
      load('ok', { activeCount: 2 }),
    ]);
    expect(ranked.map((l) => l.agent.id)).toEqual(['ok']);
  });

  it('breaks full ties by id so every node ranks alike', () => {
    expect(rankAgents([load('b'), load('a')]).map((l) => l.agent.id)).toEqual(['a', 'b']);
  });
});
