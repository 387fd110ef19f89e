// The transcript budgets as the handler spends them, in memory and in a real Redis (when REDIS_URL is set): one inbox
// is limited whoever asks, one client address whatever visitor ids it makes up, and a refused asker spends nothing
// of the recipient's.

import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createMemoryBudgets, createRedisBudgets, type SharedBudgets } from '../shared-budgets.js';
import type { Mailer } from './mailer.js';
import { createTranscriptMail, recipientKey, type TranscriptSend } from './transcript-mail.js';

const mailer: Mailer = { send: () => Promise.resolve(), close: () => undefined };
const opened: SharedBudgets[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((b) => b.close()));
});

let n = 0;
/** A fresh visitor and conversation every time, as an attacker looping new connections would have. */
const fresh = (to: string, address: string): TranscriptSend => ({ visitorId: `v${++n}`, conversationId: `c${n}`, to, address });

function contract(name: string, make: () => Promise<SharedBudgets>) {
  describe(`transcript budgets: ${name}`, () => {
    const open = async (nowMs = 1_000_000) => {
      const budgets = await make();
      opened.push(budgets);
      let now = nowMs;
      const mail = createTranscriptMail({ mailer, budgets, now: () => now });
      return { mail, advance: (ms: number) => (now += ms) };
    };

    it('sends one inbox three a day, whatever visitors, conversations and addresses ask (case and +tag folded)', async () => {
      const { mail, advance } = await open();
      expect(await mail.take(fresh('victim@example.com', '198.51.100.1'))).toBe(true);
      expect(await mail.take(fresh('Victim+a@Example.com', '198.51.100.2'))).toBe(true);
      expect(await mail.take(fresh('VICTIM+b@example.COM', '2001:db8:1::1'))).toBe(true);
      expect(await mail.take(fresh('victim@example.com', '198.51.100.3'))).toBe(false);
      expect(await mail.take(fresh('victim+c@example.com', '2001:db8:2::1'))).toBe(false);
      // Another inbox is not affected; the victim's refills at three a day.
      expect(await mail.take(fresh('ada@example.com', '198.51.100.4'))).toBe(true);
      advance(8 * 3600 * 1000 + 1000);
      expect(await mail.take(fresh('victim@example.com', '198.51.100.5'))).toBe(true);
      expect(await mail.take(fresh('victim@example.com', '198.51.100.6'))).toBe(false);
    });

    it('sends one client address ten an hour, counting an IPv6 /64 as one, and spends no recipient budget on a refusal', async () => {
      const { mail, advance } = await open();
      for (let i = 0; i < 10; i++) expect(await mail.take(fresh(`r${i}@example.com`, `2001:db8:7:7::${i + 1}`)), `send ${i}`).toBe(true);
      expect(await mail.take(fresh('bob@example.com', '2001:db8:7:7:ffff::1'))).toBe(false);
      expect(await mail.take(fresh('bob@example.com', '2001:db8:7:7:ffff::2'))).toBe(false);
      expect(await mail.take(fresh('bob@example.com', '2001:db8:7:7:ffff::3'))).toBe(false);
      // Those three refusals left bob's inbox budget whole: three from elsewhere still go.
      for (let i = 0; i < 3; i++) expect(await mail.take(fresh('bob@example.com', `203.0.113.${i + 1}`))).toBe(true);
      // IPv4 mapped into IPv6 is the same client as plain IPv4.
      for (let i = 0; i < 9; i++) expect(await mail.take(fresh(`s${i}@example.com`, '192.0.2.9'))).toBe(true);
      expect(await mail.take(fresh('t@example.com', '::ffff:192.0.2.9'))).toBe(true);
      expect(await mail.take(fresh('u@example.com', '192.0.2.9'))).toBe(false);
      advance(361 * 1000);
      expect(await mail.take(fresh('u@example.com', '::ffff:192.0.2.9'))).toBe(true);
    });
  });
}

describe('recipientKey', () => {
  it('folds case and a +tag, keeps the domain apart, and holds no address', () => {
    expect(recipientKey('Ada+shop@Example.com')).toBe(recipientKey('ada@example.com'));
    expect(recipientKey('ada@example.org')).not.toBe(recipientKey('ada@example.com'));
    expect(recipientKey('ada@example.com')).not.toMatch(/ada|example/);
  });
});

contract('memory', () => Promise.resolve(createMemoryBudgets()));

const redisUrl = process.env.REDIS_URL;
if (redisUrl !== undefined) {
  const prefix = `parley-test-transcript-${process.pid}-${Date.now()}:`;
  afterAll(async () => {
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
  let run = 0;
  // A prefix per test: each starts with empty buckets, as the memory ones do.
  contract('redis', () => createRedisBudgets({ url: redisUrl, prefix: `${prefix}${++run}:` }));
}
