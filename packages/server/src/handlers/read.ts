// `read`: persists the side's read marker (monotonic) and relays `read.update` to the other members. No reply.

import type { ReadFrame } from '@parley/protocol';
import { conversationTopic } from '../fanout/fanout.js';
import { loadConversation, requireSession } from './access.js';
import type { HandlerContext } from './context.js';

export async function handleRead(ctx: HandlerContext, frame: ReadFrame): Promise<void> {
  const session = requireSession(ctx);
  const conversation = await loadConversation(ctx, frame.conversationId);
  const upToSeq = await ctx.services.storage.markRead(conversation.id, session.role, frame.upToSeq);
  await ctx.publish(conversationTopic(conversation.id), {
    frame: { type: 'read.update', conversationId: conversation.id, role: session.role, upToSeq },
    exceptSubjectId: session.subjectId,
  });
}
