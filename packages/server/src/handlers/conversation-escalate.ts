// `conversation.escalate` (visitor): queue for a human with reason, transcript and profile; tell agents and visitor.
// With no agent online, or outside the site's business hours, the conversation becomes an offline message instead
// (status 'offline', not queued).

import { ParleyError, type EscalateFrame } from '@parley/protocol';
import { isOpenAt } from '../business-hours.js';
import { loadConversation, requireRole } from './access.js';
import type { HandlerContext } from './context.js';

export async function handleConversationEscalate(ctx: HandlerContext, frame: EscalateFrame): Promise<void> {
  const session = requireRole(ctx, 'visitor');
  const conversation = await loadConversation(ctx, frame.conversationId);
  if (conversation.status === 'closed') throw new ParleyError('CONVERSATION_CLOSED', 'the conversation is closed');
  // Checked before the write: an agent who comes online a moment later finds it in history, and the visitor
  // may escalate again (offline → queued).
  const site = await ctx.services.storage.getSite(session.siteId);
  const isOpen = site?.businessHours === undefined || isOpenAt(site.businessHours, ctx.services.now());
  const isStaffed = isOpen && (await ctx.services.router.isStaffed(session.siteId));
  const result = await ctx.services.storage.escalate({
    conversationId: conversation.id,
    reason: frame.reason,
    transcript: frame.transcript,
    // The verified id comes from the session, never from the frame (the decoder drops a client's own claim).
    ...(frame.profile === undefined && session.identity === undefined
      ? {}
      : { profile: { ...frame.profile, ...(session.identity === undefined ? {} : { verifiedUserId: session.identity.userId }) } }),
    status: isStaffed ? 'queued' : 'offline',
  });
  const status = result.conversation?.status === 'offline' ? 'offline' : 'queued';
  ctx.reply({
    type: 'conversation.escalated',
    ref: frame.ref,
    conversationId: conversation.id,
    reason: result.conversation?.escalationReason ?? frame.reason,
    status,
  });
  if (result.changed && status === 'queued') await ctx.services.router.queueChanged(session.siteId);
}
