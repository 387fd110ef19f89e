import { type ConversationInfo, type Role } from '@parley/protocol';
import type { Conversation } from '../storage/storage.js';
import type { HandlerContext, Session } from './context.js';
export declare function requireSession(ctx: HandlerContext): Session;
export declare function requireRole(ctx: HandlerContext, role: Role): Session;
/** Visitors see their own conversations; agents see every conversation of their site. */
export declare function canSee(session: Session, conversation: Conversation): boolean;
export declare function loadConversation(ctx: HandlerContext, conversationId: string): Promise<Conversation>;
/** Refuses with the same error as loadConversation; reads the conversation only the first time per session. */
export declare function requireVisibleConversation(ctx: HandlerContext, conversationId: string): Promise<void>;
export declare function toConversationInfo(conversation: Conversation): ConversationInfo;
