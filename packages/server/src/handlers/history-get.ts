// `history.get`: one page of messages, forward from afterSeq or backward from beforeSeq, ascending.

import { ParleyError, type HistoryGetFrame } from '@parley/protocol';
import { loadConversation } from './access.js';
import type { HandlerContext } from './context.js';

/** Page size when the client does not ask for one. */
const DEFAULT_PAGE = 50;

export async function handleHistoryGet(ctx: HandlerContext, frame: HistoryGetFrame): Promise<void> {
  if (frame.afterSeq !== undefined && frame.beforeSeq !== undefined) {
    throw new ParleyError('PROTOCOL_BAD_FRAME', 'send afterSeq or beforeSeq, not both');
  }
  const conversation = await loadConversation(ctx, frame.conversationId);
  const limit = Math.min(frame.limit ?? DEFAULT_PAGE, ctx.services.limits.maxHistoryPage);
  const page = await ctx.services.storage.listMessages({
    conversationId: conversation.id,
    limit,
    ...(frame.afterSeq === undefined ? {} : { afterSeq: frame.afterSeq }),
    ...(frame.beforeSeq === undefined ? {} : { beforeSeq: frame.beforeSeq }),
  });
  ctx.reply({ type: 'history.page', ref: frame.ref, conversationId: conversation.id, messages: page.messages, hasMore: page.hasMore });
}
