// `rating.submit` (visitor): one CSAT rating per conversation; a repeat is answered with the stored one.

import type { RateFrame, RatedFrame } from '@parley/protocol';
import { conversationTopic } from '../fanout/fanout.js';
import { loadConversation, requireRole } from './access.js';
import type { HandlerContext } from './context.js';

export async function handleRatingSubmit(ctx: HandlerContext, frame: RateFrame): Promise<void> {
  requireRole(ctx, 'visitor');
  const conversation = await loadConversation(ctx, frame.conversationId);
  const { rating, created } = await ctx.services.storage.rate({
    conversationId: conversation.id,
    score: frame.score,
    ...(frame.comment === undefined ? {} : { comment: frame.comment }),
  });
  const rated: RatedFrame = { type: 'rating.created', conversationId: conversation.id, score: rating.score };
  if (rating.comment !== undefined) rated.comment = rating.comment;
  ctx.reply({ ...rated, ref: frame.ref });
  if (created) await ctx.publish(conversationTopic(conversation.id), { frame: rated, exceptConnectionId: ctx.connectionId });
}
