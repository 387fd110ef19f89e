// Pushes the queue after it changes: `queue.snapshot` to the site's agents, `queue.update` to each waiting visitor.

import type { QueueEntry } from '@parley/protocol';
import { siteAgentsTopic, visitorTopic } from '../fanout/fanout.js';
import { estimateWaitSeconds, ewmaMs } from '../routing/wait-estimate.js';
import type { ServerServices } from './context.js';

/** How many recent waits feed the moving average. */
const RECENT_WAITS = 20;

/** The site's queue as wire entries, each with the visitor it belongs to. */
export async function queueEntries(
  services: ServerServices,
  siteId: string,
): Promise<Array<{ entry: QueueEntry; visitorId: string }>> {
  const queue = await services.storage.listQueue(siteId);
  const averageWaitMs = queue.length === 0 ? 0 : ewmaMs(await services.storage.listRecentWaits(siteId, RECENT_WAITS));
  return queue.map((item, i) => ({
    visitorId: item.visitorId,
    entry: {
      conversationId: item.conversationId,
      position: i + 1,
      etaSeconds: estimateWaitSeconds(i + 1, queue.length, averageWaitMs),
      waitingSince: item.queuedAt,
      reason: item.reason,
      visitor: item.profile,
      transcript: item.transcript,
    },
  }));
}

export async function broadcastQueue(services: ServerServices, siteId: string): Promise<void> {
  const items = await queueEntries(services, siteId);
  await services.fanout.publish(siteAgentsTopic(siteId), {
    frame: { type: 'queue.snapshot', entries: items.map((i) => i.entry) },
  });
  for (const { entry, visitorId } of items) {
    await services.fanout.publish(visitorTopic(visitorId), {
      frame: { type: 'queue.update', conversationId: entry.conversationId, position: entry.position, etaSeconds: entry.etaSeconds },
    });
  }
}
