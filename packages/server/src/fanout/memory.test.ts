import { describe, expect, it } from 'vitest';
import { createMemoryFanout } from './memory.js';
import { runFanoutContract } from './fanout-contract.js';

runFanoutContract('memory', () => createMemoryFanout());

describe('createMemoryFanout', () => {
  it('reports a throwing listener and still delivers to the others', async () => {
    const errors: unknown[] = [];
    const fanout = createMemoryFanout({ onListenerError: (err) => errors.push(err) });
    const got: string[] = [];
    await fanout.subscribe('t', () => {
      throw new Error('boom');
    });
    await fanout.subscribe('t', (m) => got.push(m.frame.type));
    await fanout.publish('t', { frame: { type: 'pong', ref: 'r' } });
    expect(got).toEqual(['pong']);
    expect(errors).toHaveLength(1);
  });
});
