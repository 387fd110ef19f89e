// `agent.availability` (agent): online / away / offline and capacity, for every connection of the agent; an agent
// coming online (or taking more) may be given queued conversations at once in auto mode.

import type { AvailabilityFrame } from '@parley/protocol';
import { requireRole } from './access.js';
import type { HandlerContext } from './context.js';

export async function handleAgentAvailability(ctx: HandlerContext, frame: AvailabilityFrame): Promise<void> {
  const session = requireRole(ctx, 'agent');
  const { storage, router } = ctx.services;
  await storage.setAgentAvailability(session.subjectId, frame.availability);
  if (frame.capacity !== undefined) await storage.setAgentCapacity(session.subjectId, frame.capacity);
  ctx.reply({ type: 'ok', ref: frame.ref });
  await router.queueChanged(session.siteId);
}
