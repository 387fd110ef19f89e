// The Fanout contract suite, run against every adapter (memory.test.ts; redis when REDIS_URL is set). Test-only.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Fanout, FanoutMessage } from './fanout.js';

const frame = (n: number): FanoutMessage => ({ frame: { type: 'pong', ref: `r${n}` } });

/** Defines the contract suite for one adapter; `makeFanout` returns a fresh one. */
export function runFanoutContract(name: string, makeFanout: () => Fanout | Promise<Fanout>): void {
  describe(`Fanout contract: ${name}`, () => {
    let fanout: Fanout;
    beforeEach(async () => {
      fanout = await makeFanout();
    });
    afterEach(async () => {
      await fanout.close();
    });

    const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

    it('delivers to every subscriber of the topic, in publish order, and nowhere else', async () => {
      const a: FanoutMessage[] = [];
      const b: FanoutMessage[] = [];
      const other: FanoutMessage[] = [];
      await fanout.subscribe('t', (m) => a.push(m));
      await fanout.subscribe('t', (m) => b.push(m));
      await fanout.subscribe('u', (m) => other.push(m));
      for (let i = 0; i < 5; i++) await fanout.publish('t', frame(i));
      await settle();
      expect(a).toEqual([0, 1, 2, 3, 4].map(frame));
      expect(b).toEqual(a);
      expect(other).toEqual([]);
    });

    it('stops delivering after unsubscribe, which is idempotent', async () => {
      const got: FanoutMessage[] = [];
      const sub = await fanout.subscribe('t', (m) => got.push(m));
      await fanout.publish('t', frame(1));
      await sub.unsubscribe();
      await sub.unsubscribe();
      await fanout.publish('t', frame(2));
      await settle();
      expect(got).toEqual([frame(1)]);
    });

    it('carries the exclusion fields', async () => {
      const got: FanoutMessage[] = [];
      await fanout.subscribe('t', (m) => got.push(m));
      const message = { ...frame(1), exceptSubjectId: 'v_1', exceptConnectionId: 'k_1' };
      await fanout.publish('t', message);
      await settle();
      expect(got).toEqual([message]);
    });
  });
}
