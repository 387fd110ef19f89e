// `conversation.transfer` (agent): the assigned agent hands a conversation to another online agent of the site,
// or back to the queue. The move is a conditional write (the target's capacity counted under its row lock), so a
// transfer racing a requeue, a close or an automatic assignment happens once and never overfills the target.

import { ParleyError, type AgentInfo, type TransferFrame } from '@parley/protocol';
import { conversationTopic } from '../fanout/fanout.js';
import { loadConversation, requireRole } from './access.js';
import type { HandlerContext } from './context.js';

export async function handleConversationTransfer(ctx: HandlerContext, frame: TransferFrame): Promise<void> {
  const session = requireRole(ctx, 'agent');
  const from = session.agent!;
  const { storage, router } = ctx.services;
  const conversation = await loadConversation(ctx, frame.conversationId);
  if (conversation.status === 'closed') throw new ParleyError('CONVERSATION_CLOSED', 'the conversation is closed');
  if (conversation.status !== 'assigned' || conversation.agent?.id !== from.id) {
    throw new ParleyError('AUTH_FORBIDDEN', 'only the agent who has the conversation may transfer it');
  }
  let to: AgentInfo | undefined;
  if (frame.toAgentId !== undefined) {
    if (frame.toAgentId === from.id) throw new ParleyError('PROTOCOL_BAD_FRAME', 'toAgentId is you; give another agent, or none for the queue');
    // Only connected, online agents of the same site: a transfer to someone away would strand the visitor.
    const target = (await storage.listAgentLoads(session.siteId, router.liveSince())).find((l) => l.agent.id === frame.toAgentId);
    if (target === undefined || target.availability !== 'online') {
      throw new ParleyError('AUTH_FORBIDDEN', 'that agent is not online', { details: { reason: 'agent_unavailable' } });
    }
    to = target.agent;
  }
  const result = await storage.transfer(conversation.id, from.id, from, to);
  if (result.refusal === 'agent_full') throw new ParleyError('AUTH_FORBIDDEN', 'that agent has no free capacity', { details: { reason: 'agent_full' } });
  if (!result.changed) throw new ParleyError('AUTH_FORBIDDEN', 'the conversation is no longer yours');
  ctx.reply({ type: 'ok', ref: frame.ref });
  await router.announceLeft({ ...result, event: undefined }, from);
  if (to !== undefined) await router.announceAssigned(result, to);
  else {
    if (result.event !== undefined) await ctx.publish(conversationTopic(conversation.id), { frame: { type: 'message.new', message: result.event } });
    await router.queueChanged(session.siteId);
  }
}
