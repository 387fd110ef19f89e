// Who may see or do what. Throws ParleyError; same error for "missing" and "not yours" so ids are no oracle.

import { ParleyError, type ConversationInfo, type Role } from '@parley/protocol';
import type { Conversation } from '../storage/storage.js';
import type { HandlerContext, Session } from './context.js';

export function requireSession(ctx: HandlerContext): Session {
  if (ctx.session === undefined) throw new ParleyError('PROTOCOL_NOT_AUTHENTICATED', 'send hello first');
  return ctx.session;
}

export function requireRole(ctx: HandlerContext, role: Role): Session {
  const session = requireSession(ctx);
  if (session.role !== role) throw new ParleyError('AUTH_FORBIDDEN', `only a ${role} may do this`);
  return session;
}

/** Visitors see their own conversations; agents see every conversation of their site. */
export function canSee(session: Session, conversation: Conversation): boolean {
  return session.role === 'visitor' ? conversation.visitorId === session.subjectId : conversation.siteId === session.siteId;
}

export async function loadConversation(ctx: HandlerContext, conversationId: string): Promise<Conversation> {
  const session = requireSession(ctx);
  const conversation = await ctx.services.storage.getConversation(conversationId);
  if (conversation === undefined || !canSee(session, conversation)) {
    throw new ParleyError('CONVERSATION_NOT_FOUND', 'no such conversation');
  }
  return conversation;
}

/**
 * Who may see a conversation never changes (its visitor and site are fixed), so once a session has passed the check
 * for an id, `message.send` skips the read. Status is not cached: storage refuses appends to a closed or erased
 * conversation in the commit itself. Keyed by the session object, so it lives and dies with the connection.
 */
const seenBySession = new WeakMap<Session, Set<string>>();
/** Enough for an agent's open chats; past it the set starts over rather than grow with a long-lived socket. */
const MAX_SEEN_PER_SESSION = 256;

/** Refuses with the same error as loadConversation; reads the conversation only the first time per session. */
export async function requireVisibleConversation(ctx: HandlerContext, conversationId: string): Promise<void> {
  const session = requireSession(ctx);
  const seen = seenBySession.get(session);
  if (seen?.has(conversationId)) return;
  const conversation = await loadConversation(ctx, conversationId);
  if (conversation.status === 'closed') throw new ParleyError('CONVERSATION_CLOSED', 'the conversation is closed');
  if (seen === undefined) seenBySession.set(session, new Set([conversationId]));
  else {
    if (seen.size >= MAX_SEEN_PER_SESSION) seen.clear();
    seen.add(conversationId);
  }
}

export function toConversationInfo(conversation: Conversation): ConversationInfo {
  const info: ConversationInfo = {
    id: conversation.id,
    status: conversation.status,
    lastSeq: conversation.lastSeq,
    createdAt: conversation.createdAt,
    visitorId: conversation.visitorId,
  };
  if (conversation.agent !== undefined) info.agent = conversation.agent;
  if (conversation.escalationReason !== undefined) info.escalationReason = conversation.escalationReason;
  return info;
}
