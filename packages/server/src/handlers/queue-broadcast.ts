// Pushes the queue after it changes: `queue.snapshot` to the site's agents, `queue.update` to each waiting visitor.

import type { QueueEntry } from '@parley/protocol';
import { siteAgentsTopic, visitorTopic } from '../fanout/fanout.js';
import type { ServerServices } from './context.js';

/** Rough seconds an agent spends per conversation, until real handling times are measured (TODO(#2)). */
const AVERAGE_HANDLE_SECONDS = 120;

/** The site's queue as wire entries, each with the visitor it belongs to. */
export async function queueEntries(
  services: ServerServices,
  siteId: string,
): Promise<Array<{ entry: QueueEntry; visitorId: string }>> {
  const queue = await services.storage.listQueue(siteId);
  const agents = Math.max(1, services.presence.countAvailable(siteId));
  return queue.map((item, i) => ({
    visitorId: item.visitorId,
    entry: {
      conversationId: item.conversationId,
      position: i + 1,
      etaSeconds: Math.round(((i + 1) * AVERAGE_HANDLE_SECONDS) / agents),
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
