// `conversation.start` (visitor): idempotent on clientId; rate-limited per visitor; joins the new conversation.

import { ParleyError, type ConversationStartFrame } from '@parley/protocol';
import { conversationTopic } from '../fanout/fanout.js';
import { requireRole, toConversationInfo } from './access.js';
import type { HandlerContext } from './context.js';

export async function handleConversationStart(ctx: HandlerContext, frame: ConversationStartFrame): Promise<void> {
  const session = requireRole(ctx, 'visitor');
  if (!ctx.services.takeConversationStart(session.subjectId)) {
    throw new ParleyError('RATE_LIMITED', 'too many new conversations; try again in a minute', { retryable: true });
  }
  const { conversation } = await ctx.services.storage.startConversation({
    siteId: session.siteId,
    visitorId: session.subjectId,
    clientId: frame.clientId,
    ...(frame.profile === undefined ? {} : { profile: frame.profile }),
  });
  await ctx.subscribe(conversationTopic(conversation.id));
  ctx.reply({ type: 'conversation.joined', ref: frame.ref, conversation: toConversationInfo(conversation) });
}
