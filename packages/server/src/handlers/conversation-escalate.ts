// `conversation.escalate` (visitor): queue for a human with reason, transcript and profile; tell agents and visitor.

import { ParleyError, type EscalateFrame } from '@parley/protocol';
import { loadConversation, requireRole } from './access.js';
import type { HandlerContext } from './context.js';
import { broadcastQueue } from './queue-broadcast.js';

export async function handleConversationEscalate(ctx: HandlerContext, frame: EscalateFrame): Promise<void> {
  const session = requireRole(ctx, 'visitor');
  const conversation = await loadConversation(ctx, frame.conversationId);
  if (conversation.status === 'closed') throw new ParleyError('CONVERSATION_CLOSED', 'the conversation is closed');
  const result = await ctx.services.storage.escalate({
    conversationId: conversation.id,
    reason: frame.reason,
    transcript: frame.transcript,
    ...(frame.profile === undefined ? {} : { profile: frame.profile }),
  });
  // The conversation stays queued either way, so an agent who logs in later can take it; 'offline' tells the
  // widget that nobody is there right now and it should offer to leave a message.
  const isStaffed = ctx.services.presence.countAvailable(session.siteId) > 0;
  ctx.reply({
    type: 'conversation.escalated',
    ref: frame.ref,
    conversationId: conversation.id,
    reason: result.conversation?.escalationReason ?? frame.reason,
    status: isStaffed ? 'queued' : 'offline',
  });
  if (result.changed) await broadcastQueue(ctx.services, session.siteId);
}
