// `conversation.accept` (agent): take a queued conversation or answer an offline message, exactly once across agents
// and nodes (one conditional write in storage); tell the visitor.

import { ParleyError, type AcceptFrame } from '@parley/protocol';
import { loadConversation, requireRole } from './access.js';
import type { HandlerContext } from './context.js';

export async function handleConversationAccept(ctx: HandlerContext, frame: AcceptFrame): Promise<void> {
  const session = requireRole(ctx, 'agent');
  const agent = session.agent!;
  const conversation = await loadConversation(ctx, frame.conversationId);
  const result = await ctx.services.storage.assign(conversation.id, agent);
  const after = result.conversation ?? conversation;
  if (!result.changed) {
    // A retry by the winner is answered as a success; everyone else lost the race or came too early/late.
    if (after.status === 'assigned' && after.agent?.id === agent.id) {
      ctx.reply({ type: 'conversation.assigned', ref: frame.ref, conversationId: after.id, agent });
      return;
    }
    if (after.status === 'closed') throw new ParleyError('CONVERSATION_CLOSED', 'the conversation is closed');
    throw new ParleyError('AUTH_FORBIDDEN', after.status === 'assigned' ? 'another agent took this conversation' : 'the conversation is not waiting for an agent');
  }
  ctx.reply({ type: 'conversation.assigned', ref: frame.ref, conversationId: after.id, agent });
  await ctx.services.router.announceAssigned(result, agent);
  await ctx.services.router.queueChanged(session.siteId);
}
