import { afterEach, describe, expect, it } from 'vitest';
import { startRetention, type RetentionJob } from './gdpr.js';
import { createJsonLogger } from './logger.js';
import { createServer, type ParleyServer } from './server.js';
import { createSqliteStorage } from './storage/sqlite.js';
import type { Storage } from './storage/storage.js';

const DAY = 86_400_000;
const jobs: RetentionJob[] = [];
const stores: Storage[] = [];
const servers: ParleyServer[] = [];
afterEach(async () => {
  await Promise.all(jobs.splice(0).map((j) => j.stop()));
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 50 })));
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

/** A SQLite storage on a movable clock with `count` conversations closed at the current time and one open one. */
async function seeded(clock: { now: number }, count: number) {
  const storage = createSqliteStorage({ path: ':memory:', now: () => clock.now });
  stores.push(storage);
  const site = await storage.getDefaultSite();
  const visitor = await storage.createVisitor(site.id);
  const closed: string[] = [];
  for (let i = 0; i < count; i++) {
    const { conversation } = await storage.startConversation({ siteId: site.id, visitorId: visitor.id, clientId: `c${i}` });
    await storage.appendMessage({ conversationId: conversation.id, clientId: 'm', author: { role: 'visitor', id: visitor.id }, kind: 'text', text: 'x' });
    await storage.closeConversation(conversation.id, 'visitor');
    closed.push(conversation.id);
  }
  const open = (await storage.startConversation({ siteId: site.id, visitorId: visitor.id, clientId: 'open' })).conversation.id;
  return { storage, closed, open };
}

describe('startRetention', () => {
  it('deletes conversations closed more than N days ago, in batches, and keeps open ones', async () => {
    const clock = { now: Date.UTC(2026, 0, 1) };
    const { storage, closed, open } = await seeded(clock, 5);
    const lines: string[] = [];
    const job = startRetention({ storage, days: 30, logger: createJsonLogger({ write: (l) => lines.push(l) }), now: () => clock.now, batchSize: 2 });
    jobs.push(job);
    expect(await job.runOnce()).toEqual({ conversations: 0, visitors: 0 });
    clock.now += 29 * DAY;
    expect(await job.runOnce()).toEqual({ conversations: 0, visitors: 0 });
    clock.now += 2 * DAY;
    expect(await job.runOnce()).toEqual({ conversations: 5, visitors: 0 });
    for (const id of closed) expect(await storage.getConversation(id)).toBeUndefined();
    expect(await storage.getConversation(open)).toBeDefined();
    expect(lines.map((l) => JSON.parse(l) as { event: string; conversations?: number })).toContainEqual(
      expect.objectContaining({ event: 'retention.deleted', conversations: 5 }),
    );
  });

  it('runs on its own when a server starts with retentionDays', async () => {
    const clock = { now: Date.UTC(2026, 0, 1) };
    const { storage, closed, open } = await seeded(clock, 2);
    clock.now += 8 * DAY;
    const server = createServer({ secret: 's'.repeat(40), storage, retentionDays: 7, now: () => clock.now, logger: createJsonLogger({ level: 'silent' }) });
    servers.push(server);
    await expect.poll(async () => (await Promise.all(closed.map((id) => storage.getConversation(id)))).every((c) => c === undefined)).toBe(true);
    expect(await storage.getConversation(open)).toBeDefined();
  });

  it('refuses a nonsensical retention', () => {
    expect(() => createServer({ secret: 's'.repeat(40), retentionDays: 0, logger: createJsonLogger({ level: 'silent' }) })).toThrow(/retentionDays/);
  });
});
