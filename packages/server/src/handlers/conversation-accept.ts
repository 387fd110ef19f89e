// `conversation.accept` (agent): take a queued conversation, exactly once across agents; tell the visitor.

import { ParleyError, type AcceptFrame } from '@parley/protocol';
import { conversationTopic, visitorTopic } from '../fanout/fanout.js';
import { loadConversation, requireRole } from './access.js';
import type { HandlerContext } from './context.js';
import { broadcastQueue } from './queue-broadcast.js';

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
    throw new ParleyError('AUTH_FORBIDDEN', after.status === 'assigned' ? 'another agent took this conversation' : 'the conversation is not waiting in the queue');
  }
  ctx.reply({ type: 'conversation.assigned', ref: frame.ref, conversationId: after.id, agent });
  await ctx.publish(visitorTopic(after.visitorId), { frame: { type: 'agent.joined', conversationId: after.id, agent } });
  if (result.event !== undefined) {
    await ctx.publish(conversationTopic(after.id), { frame: { type: 'message.new', message: result.event } });
  }
  await broadcastQueue(ctx.services, session.siteId);
}
