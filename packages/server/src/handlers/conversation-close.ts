// `conversation.close` (either side): close once, write an event message, tell both sides.

import { ParleyError, type CloseFrame, type ClosedFrame } from '@parley/protocol';
import { conversationTopic } from '../fanout/fanout.js';
import { loadConversation, requireSession } from './access.js';
import type { HandlerContext } from './context.js';

export async function handleConversationClose(ctx: HandlerContext, frame: CloseFrame): Promise<void> {
  const session = requireSession(ctx);
  const conversation = await loadConversation(ctx, frame.conversationId);
  // A chat an agent has taken is theirs to end; a colleague closing it would cut the shopper off mid-conversation.
  if (session.role === 'agent' && conversation.status === 'assigned' && conversation.agent?.id !== session.subjectId) {
    throw new ParleyError('AUTH_FORBIDDEN', 'only the agent who has this conversation may close it');
  }
  const result = await ctx.services.storage.closeConversation(conversation.id, session.role, frame.reason);
  const closed: ClosedFrame = { type: 'conversation.closed', conversationId: conversation.id, by: session.role };
  if (frame.reason !== undefined) closed.reason = frame.reason;
  // Closing twice is answered like the first time, so a retried close after a reconnect is harmless.
  ctx.reply({ ...closed, ref: frame.ref });
  if (!result.changed) return;
  const topic = conversationTopic(conversation.id);
  if (result.event !== undefined) await ctx.publish(topic, { frame: { type: 'message.new', message: result.event } });
  await ctx.publish(topic, { frame: closed, exceptConnectionId: ctx.connectionId });
  // A queued one leaves the queue; an assigned one frees a seat of its agent (auto mode may fill it).
  if (conversation.status === 'queued' || conversation.status === 'assigned') await ctx.services.router.queueChanged(conversation.siteId);
}
