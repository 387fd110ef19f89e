// The WebhookOutboxStore contract: deliveries survive until finished, one holder at a time, leases lapse, retries
// come due, the bound holds. Run by runStorageContract for every adapter. Test-only module.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from './storage.js';
import type { NewWebhookDelivery } from './webhook-outbox-store.js';

const URL_A = 'https://a.example/hooks';
const URL_B = 'https://b.example/hooks';
const delivery = (n: number, url = URL_A, createdAt = 1000 + n): NewWebhookDelivery => ({
  id: `wh_${n}`,
  url,
  event: 'message.created',
  body: `{"id":"wh_${n}"}`,
  createdAt,
});

export function runWebhookOutboxContract(name: string, makeStorage: () => Storage | Promise<Storage>): void {
  describe(`Webhook outbox contract: ${name}`, () => {
    let storage: Storage;
    beforeEach(async () => {
      storage = await makeStorage();
    });
    afterEach(async () => {
      await storage.close();
    });

    it('keeps an enqueued delivery leased to its node until the lease lapses, then lets another node claim it', async () => {
      expect(await storage.enqueueWebhooks([delivery(1)], { owner: 'node-a', until: 5000 }, 100)).toBe(1);
      // Leased to node-a: nobody else gets it before 5000, not even node-a by claiming.
      expect(await storage.claimWebhooks({ urls: [URL_A], now: 4999, limit: 10, lease: { owner: 'node-b', until: 9000 } })).toEqual([]);
      const claimed = await storage.claimWebhooks({ urls: [URL_A], now: 5000, limit: 10, lease: { owner: 'node-b', until: 9000 } });
      expect(claimed).toEqual([{ ...delivery(1), attempts: 0 }]);
      // node-a lost it: its late result does not remove node-b's delivery.
      expect(await storage.finishWebhook('wh_1', 'node-a')).toBe(false);
      expect(await storage.countWebhooks()).toBe(1);
      expect(await storage.finishWebhook('wh_1', 'node-b')).toBe(true);
      expect(await storage.countWebhooks()).toBe(0);
      expect(await storage.finishWebhook('wh_1', 'node-b')).toBe(false);
    });

    it('makes a retried delivery due at its time, with its attempts, for any node that knows its URL', async () => {
      await storage.enqueueWebhooks([delivery(1), delivery(2, URL_B)], { owner: 'node-a', until: 5000 }, 100);
      expect(await storage.retryWebhookLater('wh_1', 'node-a', 1, 2000)).toBe(true);
      expect(await storage.retryWebhookLater('wh_2', 'node-a', 3, 2500)).toBe(true);
      expect(await storage.retryWebhookLater('wh_1', 'node-b', 9, 0)).toBe(false);
      const lease = { owner: 'node-b', until: 60_000 };
      expect(await storage.claimWebhooks({ urls: [URL_A, URL_B], now: 1999, limit: 10, lease })).toEqual([]);
      // A node whose config lacks URL_B never takes URL_B's deliveries.
      expect(await storage.claimWebhooks({ urls: [URL_A], now: 3000, limit: 10, lease })).toEqual([{ ...delivery(1), attempts: 1 }]);
      expect(await storage.claimWebhooks({ urls: [URL_A, URL_B], now: 3000, limit: 10, lease })).toEqual([{ ...delivery(2, URL_B), attempts: 3 }]);
    });

    it('claims oldest due first, at most limit, and never the same delivery twice at once', async () => {
      await storage.enqueueWebhooks([1, 2, 3, 4, 5].map((n) => delivery(n)), { owner: 'gone', until: 0 }, 100);
      const lease = (owner: string) => ({ owner, until: 60_000 });
      const [a, b, c] = await Promise.all([
        storage.claimWebhooks({ urls: [URL_A], now: 10_000, limit: 2, lease: lease('a') }),
        storage.claimWebhooks({ urls: [URL_A], now: 10_000, limit: 2, lease: lease('b') }),
        storage.claimWebhooks({ urls: [URL_A], now: 10_000, limit: 2, lease: lease('c') }),
      ]);
      const ids = [...a!, ...b!, ...c!].map((d) => d.id);
      expect(ids.sort()).toEqual(['wh_1', 'wh_2', 'wh_3', 'wh_4', 'wh_5']);
      for (const batch of [a!, b!, c!]) expect(batch.length).toBeLessThanOrEqual(2);
      // Within one claim, oldest first.
      for (const batch of [a!, b!, c!]) expect(batch.map((d) => d.createdAt)).toEqual([...batch.map((d) => d.createdAt)].sort());
    });

    it('stores no more than maxPending, and tells how many it took', async () => {
      const lease = { owner: 'node-a', until: 5000 };
      expect(await storage.enqueueWebhooks([1, 2, 3].map((n) => delivery(n)), lease, 4)).toBe(3);
      expect(await storage.enqueueWebhooks([4, 5, 6].map((n) => delivery(n)), lease, 4)).toBe(1);
      expect(await storage.countWebhooks()).toBe(4);
      const all = await storage.claimWebhooks({ urls: [URL_A], now: 5000, limit: 10, lease: { owner: 'x', until: 9000 } });
      expect(all.map((d) => d.id).sort()).toEqual(['wh_1', 'wh_2', 'wh_3', 'wh_4']);
    });

    it('frees the leases of a node that shuts down, and only those', async () => {
      await storage.enqueueWebhooks([delivery(1), delivery(2)], { owner: 'node-a', until: 50_000 }, 100);
      await storage.enqueueWebhooks([delivery(3)], { owner: 'node-b', until: 50_000 }, 100);
      expect(await storage.releaseWebhookLeases('node-a')).toBe(2);
      const claimed = await storage.claimWebhooks({ urls: [URL_A], now: 2000, limit: 10, lease: { owner: 'node-c', until: 60_000 } });
      expect(claimed.map((d) => d.id)).toEqual(['wh_1', 'wh_2']);
    });
  });
}
