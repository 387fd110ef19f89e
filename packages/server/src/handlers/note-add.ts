// `note.add` (agent): an internal note on a conversation of the agent's site. Stored apart from messages and sent
// only on the site's agents topic, which no visitor connection ever subscribes to.

import { type NoteAddFrame } from '@parley/protocol';
import { siteAgentsTopic } from '../fanout/fanout.js';
import { loadConversation, requireRole } from './access.js';
import type { HandlerContext } from './context.js';

export async function handleNoteAdd(ctx: HandlerContext, frame: NoteAddFrame): Promise<void> {
  const session = requireRole(ctx, 'agent');
  const conversation = await loadConversation(ctx, frame.conversationId);
  const { note, duplicate } = await ctx.services.storage.addNote({
    conversationId: conversation.id,
    clientId: frame.clientId,
    author: { role: 'agent', ...session.agent! },
    text: frame.text,
  });
  ctx.reply({ type: 'note.new', ref: frame.ref, note });
  // A retry was pushed when first stored; the console reloads notes with the conversation anyway.
  if (!duplicate) await ctx.publish(siteAgentsTopic(conversation.siteId), { frame: { type: 'note.new', note } });
}
