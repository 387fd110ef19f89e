// `conversation.transfer` (agent): the assigned agent hands a conversation to another online agent of the site,
// or back to the queue. The move is a conditional write (the target's availability and capacity checked under its
// row lock), so a transfer racing a requeue, a close, an automatic assignment or the target going away happens once,
// never overfills the target and never lands on someone offline.

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
  const liveSinceMs = router.liveSince();
  if (frame.toAgentId !== undefined) {
    if (frame.toAgentId === from.id) throw new ParleyError('PROTOCOL_BAD_FRAME', 'toAgentId is you; give another agent, or none for the queue');
    // The target's name for the event and announcements; only connected agents of this site are candidates.
    // Whether they are online is decided by storage.transfer, under the lock of the move itself.
    to = (await storage.listAgentLoads(session.siteId, liveSinceMs)).find((l) => l.agent.id === frame.toAgentId)?.agent;
    if (to === undefined) throw unavailable();
  }
  const result = await storage.transfer(conversation.id, from.id, from, to === undefined ? undefined : { agent: to, liveSinceMs });
  // A transfer to someone away or offline would strand the visitor.
  if (result.refusal === 'agent_unavailable') throw unavailable();
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

function unavailable(): ParleyError {
  return new ParleyError('AUTH_FORBIDDEN', 'that agent is not online', { details: { reason: 'agent_unavailable' } });
}
