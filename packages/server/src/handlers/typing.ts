// `typing`: relayed as `typing.update` to the other members; nothing is stored and nothing is replied.

import type { Author, TypingFrame } from '@parley/protocol';
import { conversationTopic } from '../fanout/fanout.js';
import { loadConversation, requireSession } from './access.js';
import type { HandlerContext } from './context.js';

export async function handleTyping(ctx: HandlerContext, frame: TypingFrame): Promise<void> {
  const session = requireSession(ctx);
  const conversation = await loadConversation(ctx, frame.conversationId);
  const author: Author = session.agent === undefined ? { role: session.role, id: session.subjectId } : { role: 'agent', ...session.agent };
  await ctx.publish(conversationTopic(conversation.id), {
    frame: { type: 'typing.update', conversationId: conversation.id, author, isTyping: frame.isTyping },
    exceptSubjectId: session.subjectId,
  });
}
