// `agent.availability` (agent): online / away / offline; decides whether escalations are answered 'offline'.

import type { AvailabilityFrame } from '@parley/protocol';
import { requireRole } from './access.js';
import type { HandlerContext } from './context.js';

export async function handleAgentAvailability(ctx: HandlerContext, frame: AvailabilityFrame): Promise<void> {
  const session = requireRole(ctx, 'agent');
  // TODO(#2): capacity is accepted but not used for routing yet.
  await ctx.services.storage.setAgentAvailability(session.subjectId, frame.availability);
  ctx.services.presence.set(ctx.connectionId, session.siteId, frame.availability);
  ctx.reply({ type: 'ok', ref: frame.ref });
}
