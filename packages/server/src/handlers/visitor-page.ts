// `visitor.page` (visitor): records the page the shopper is on, in the conversation's profile; replies `ok`.

import type { PageViewFrame } from '@parley/protocol';
import { loadConversation, requireRole } from './access.js';
import type { HandlerContext } from './context.js';

export async function handleVisitorPage(ctx: HandlerContext, frame: PageViewFrame): Promise<void> {
  requireRole(ctx, 'visitor');
  const conversation = await loadConversation(ctx, frame.conversationId);
  await ctx.services.storage.recordPage(conversation.id, frame.url, frame.title);
  ctx.reply({ type: 'ok', ref: frame.ref });
}
