// `message.send`: durable, deduplicated store with a seq, then ack, then `message.new` to every member.

import { ParleyError, type Author, type MessageSendFrame } from '@parley/protocol';
import { conversationTopic } from '../fanout/fanout.js';
import { requireSession, requireVisibleConversation } from './access.js';
import type { HandlerContext } from './context.js';
import { resolveAttachments } from '../uploads/attachment-check.js';

export async function handleMessageSend(ctx: HandlerContext, frame: MessageSendFrame): Promise<void> {
  const session = requireSession(ctx);
  // Closed or erased conversations are refused by appendMessage inside the commit, so a cached check is enough.
  await requireVisibleConversation(ctx, frame.conversationId);
  // Buttons are the agent's offer to the shopper; a visitor's would be shown to nobody and could only mislead.
  if (frame.quickReplies !== undefined && session.role !== 'agent') {
    throw new ParleyError('AUTH_FORBIDDEN', 'only agents can offer quick replies');
  }
  const attachments = frame.attachments === undefined ? undefined : await resolveAttachments(ctx.services.uploads, session.subjectId, frame.attachments);
  const author: Author = session.agent === undefined ? { role: session.role, id: session.subjectId } : { role: 'agent', ...session.agent };
  // appendMessage resolves after the group commit: the ack below is never sent for a write that could be lost.
  const { message, duplicate } = await ctx.services.storage.appendMessage({
    conversationId: frame.conversationId,
    clientId: frame.clientId,
    author,
    kind: 'text',
    text: frame.text,
    ...(attachments === undefined ? {} : { attachments }),
    ...(frame.quickReplies?.length ? { quickReplies: frame.quickReplies } : {}),
  });
  ctx.reply({
    type: 'message.ack',
    ref: frame.ref,
    conversationId: message.conversationId,
    clientId: message.clientId,
    seq: message.seq,
    at: message.at,
    ...(duplicate ? { duplicate: true } : {}),
  });
  // A duplicate was broadcast when first stored; a client that missed it gets it by replay.
  if (!duplicate) await ctx.publish(conversationTopic(frame.conversationId), { frame: { type: 'message.new', message } });
}
