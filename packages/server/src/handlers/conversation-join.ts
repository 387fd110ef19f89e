// `conversation.join`: subscribe first, then `conversation.joined`, then replay every message after the resume point.

import { ParleyError, type ConversationJoinFrame } from '@parley/protocol';
import { conversationTopic } from '../fanout/fanout.js';
import { loadConversation, toConversationInfo } from './access.js';
import type { HandlerContext } from './context.js';

/**
 * Joins one conversation from `afterSeq`. Shared with `hello.resume` (no ref then). Subscribing before reading
 * means a message stored meanwhile arrives live, by replay, or both; the client drops duplicates by seq.
 */
export async function joinConversation(ctx: HandlerContext, conversationId: string, afterSeq: number, ref?: string): Promise<void> {
  const conversation = await loadConversation(ctx, conversationId);
  if (afterSeq > conversation.lastSeq) {
    throw new ParleyError('PROTOCOL_STALE_RESUME', `afterSeq ${afterSeq} is beyond the last seq ${conversation.lastSeq}`);
  }
  await ctx.subscribe(conversationTopic(conversationId));
  ctx.reply(ref === undefined
    ? { type: 'conversation.joined', conversation: toConversationInfo(conversation) }
    : { type: 'conversation.joined', ref, conversation: toConversationInfo(conversation) });
  const { storage } = ctx.services;
  const limit = ctx.services.limits.maxHistoryPage;
  let cursor = afterSeq;
  for (;;) {
    const page = await storage.listMessages({ conversationId, afterSeq: cursor, limit });
    for (const message of page.messages) ctx.reply({ type: 'message.new', message });
    const last = page.messages.at(-1);
    if (!page.hasMore || last === undefined) break;
    cursor = last.seq;
  }
}

export async function handleConversationJoin(ctx: HandlerContext, frame: ConversationJoinFrame): Promise<void> {
  await joinConversation(ctx, frame.conversationId, frame.afterSeq, frame.ref);
}
