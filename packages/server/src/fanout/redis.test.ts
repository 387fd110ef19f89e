// Runs the Fanout contract and multi-node checks against a real Redis when REDIS_URL is set.

import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { ParleyError } from '@parley/protocol';
import { startFaultProxy } from '../../../../tests/support/fault-proxy.js';
import { createRedisFanout } from './redis.js';
import { runFanoutContract } from './fanout-contract.js';
import type { Fanout, FanoutMessage } from './fanout.js';

const REDIS_URL = process.env.REDIS_URL;

// A random prefix per fanout keeps parallel runs (and the contract's repeated topic names) apart on one Redis.
const runId = randomBytes(4).toString('hex');
let n = 0;
const nextPrefix = () => `parley_test:${runId}:${n++}:`;

const frame = (i: number): FanoutMessage => ({ frame: { type: 'pong', ref: `r${i}` } });
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe.skipIf(REDIS_URL === undefined)('redis', () => {
  runFanoutContract('redis', () => createRedisFanout({ url: REDIS_URL!, prefix: nextPrefix() }));

  describe('createRedisFanout', () => {
    // Fanouts opened by a test; afterEach/afterAll quit whatever is still open.
    const open: Fanout[] = [];
    const make = async (prefix: string, onError?: (err: unknown, topic?: string) => void) => {
      const fanout = await createRedisFanout({ url: REDIS_URL!, prefix, ...(onError === undefined ? {} : { onError }) });
      open.push(fanout);
      return fanout;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((f) => f.close()));
    });
    afterAll(async () => {
      await Promise.all(open.splice(0).map((f) => f.close()));
    });

    it('delivers a publish on node A to subscribers on node B, and A sees its own publishes', async () => {
      const prefix = nextPrefix();
      const a = await make(prefix);
      const b = await make(prefix);
      const onA: FanoutMessage[] = [];
      const onB: FanoutMessage[] = [];
      await a.subscribe('conversation:c1', (m) => onA.push(m));
      await b.subscribe('conversation:c1', (m) => onB.push(m));
      for (let i = 0; i < 3; i++) await a.publish('conversation:c1', frame(i));
      await b.publish('conversation:c1', frame(3));
      await settle();
      expect(onB).toEqual([0, 1, 2, 3].map(frame));
      expect(onA).toEqual(onB);
    });

    it('keeps deployments with different prefixes apart', async () => {
      const a = await make(nextPrefix());
      const b = await make(nextPrefix());
      const got: FanoutMessage[] = [];
      await b.subscribe('t', (m) => got.push(m));
      await a.publish('t', frame(1));
      await settle();
      expect(got).toEqual([]);
    });

    it('subscribes the Redis channel once per topic and unsubscribes when the last local listener leaves', async () => {
      const prefix = nextPrefix();
      const fanout = await make(prefix);
      const probe = new Redis(REDIS_URL!);
      try {
        const channelCount = async () => Number(((await probe.call('PUBSUB', 'NUMSUB', `${prefix}t`)) as [string, number])[1]);
        const first = await fanout.subscribe('t', () => {});
        const second = await fanout.subscribe('t', () => {});
        expect(await channelCount()).toBe(1);
        await first.unsubscribe();
        expect(await channelCount()).toBe(1);
        await second.unsubscribe();
        expect(await channelCount()).toBe(0);
        // Subscribing again after the channel was dropped works.
        const got: FanoutMessage[] = [];
        await fanout.subscribe('t', (m) => got.push(m));
        await fanout.publish('t', frame(9));
        await settle();
        expect(got).toEqual([frame(9)]);
      } finally {
        await probe.quit();
      }
    });

    it('reports a throwing listener and a malformed message, and keeps delivering', async () => {
      const prefix = nextPrefix();
      const errors: Array<{ err: unknown; topic: string | undefined }> = [];
      const fanout = await make(prefix, (err, topic) => errors.push({ err, topic }));
      const got: FanoutMessage[] = [];
      await fanout.subscribe('t', () => {
        throw new Error('boom');
      });
      await fanout.subscribe('t', (m) => got.push(m));
      const raw = new Redis(REDIS_URL!);
      try {
        await raw.publish(`${prefix}t`, 'not json');
        await raw.publish(`${prefix}t`, JSON.stringify({ frame: 'nope' }));
      } finally {
        await raw.quit();
      }
      await fanout.publish('t', frame(1));
      await settle();
      expect(got).toEqual([frame(1)]);
      expect(errors.map((e) => e.topic)).toEqual(['t', 't', 't']);
      expect(errors.filter((e) => e.err instanceof ParleyError && e.err.code === 'FANOUT_UNAVAILABLE')).toHaveLength(2);
    });

    it('resubscribes after the connection drops, and rejects publishes while Redis is unreachable', async () => {
      const target = new URL(REDIS_URL!);
      const proxy = await startFaultProxy(Number(target.port || 6379));
      const prefix = nextPrefix();
      const errors: unknown[] = [];
      try {
        const direct = await make(prefix);
        const proxied = await createRedisFanout({ url: `redis://127.0.0.1:${proxy.port}`, prefix, onError: (err) => errors.push(err) });
        open.push(proxied);
        const got: FanoutMessage[] = [];
        await proxied.subscribe('t', (m) => got.push(m));
        proxy.retarget(1);
        expect(proxy.inject('reset')).toBe(2);
        await expect(proxied.publish('t', frame(0))).rejects.toMatchObject({ code: 'FANOUT_UNAVAILABLE', retryable: true });
        proxy.retarget(Number(target.port || 6379));
        // ioredis reconnects with backoff and then resubscribes; poll rather than guess its delay.
        for (let i = 0; i < 100 && got.length === 0; i++) {
          await direct.publish('t', frame(1));
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(got[0]).toEqual(frame(1));
        // The publisher connection reconnects on its own schedule; until then publishes reject rather than queue.
        let published = false;
        for (let i = 0; i < 100 && !published; i++) {
          published = await proxied.publish('t', frame(2)).then(() => true, () => false);
          if (!published) await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await settle();
        expect(got.at(-1)).toEqual(frame(2));
        expect(errors.length).toBeGreaterThan(0);
      } finally {
        await Promise.all(open.splice(0).map((f) => f.close()));
        await proxy.close();
      }
    });

    it('refuses work after close with FANOUT_UNAVAILABLE', async () => {
      const fanout = await make(nextPrefix());
      await fanout.close();
      await expect(fanout.publish('t', frame(1))).rejects.toMatchObject({ code: 'FANOUT_UNAVAILABLE' });
      await expect(fanout.subscribe('t', () => {})).rejects.toMatchObject({ code: 'FANOUT_UNAVAILABLE' });
    });
  });
});

describe('createRedisFanout without a server', () => {
  it('rejects with a retryable FANOUT_UNAVAILABLE', async () => {
    // Port 1 on loopback: nothing listens, so the connect is refused at once.
    const reported: unknown[] = [];
    const err = await createRedisFanout({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 2000, onError: (e) => reported.push(e) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ParleyError);
    expect(err).toMatchObject({ code: 'FANOUT_UNAVAILABLE', retryable: true, message: 'the fanout is unavailable' });
  });
});
