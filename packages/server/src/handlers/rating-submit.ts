// `rating.submit` (visitor): one rating per conversation on its site's scale (csat, ces or nps); a repeat is answered
// with the stored one.

import { ParleyError, RATING_SCALE_RANGES, type RateFrame, type RatedFrame } from '@parley/protocol';
import { conversationTopic } from '../fanout/fanout.js';
import { checkRatingScore } from '../rating-scale.js';
import { loadConversation, requireRole } from './access.js';
import type { HandlerContext } from './context.js';

export async function handleRatingSubmit(ctx: HandlerContext, frame: RateFrame): Promise<void> {
  requireRole(ctx, 'visitor');
  const conversation = await loadConversation(ctx, frame.conversationId);
  const site = await ctx.services.storage.getSite(conversation.siteId);
  const scale = site?.ratingScale ?? 'csat';
  // A score can fit two scales (a csat 5 is a valid nps 5): the scale the shopper saw has to be the site's too.
  if (frame.scale !== undefined && frame.scale !== scale) {
    const [min, max] = RATING_SCALE_RANGES[scale];
    throw new ParleyError('RATING_OUT_OF_SCALE', `this site rates on ${scale}, not ${frame.scale}`, { details: { scale, min, max, sent: frame.scale } });
  }
  checkRatingScore(scale, frame.score);
  const { rating, created } = await ctx.services.storage.rate({
    conversationId: conversation.id,
    score: frame.score,
    scale,
    ...(frame.comment === undefined ? {} : { comment: frame.comment }),
  });
  const rated: RatedFrame = { type: 'rating.created', conversationId: conversation.id, score: rating.score, scale: rating.scale };
  if (rating.comment !== undefined) rated.comment = rating.comment;
  ctx.reply({ ...rated, ref: frame.ref });
  if (created) await ctx.publish(conversationTopic(conversation.id), { frame: rated, exceptConnectionId: ctx.connectionId });
}
