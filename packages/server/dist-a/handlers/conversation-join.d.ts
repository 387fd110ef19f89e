import { type ConversationJoinFrame } from '@parley/protocol';
import type { HandlerContext } from './context.js';
/**
 * Joins one conversation from `afterSeq`. Shared with `hello.resume` (no ref then). Subscribing before reading
 * means a message stored meanwhile arrives live, by replay, or both; the client drops duplicates by seq.
 */
export declare function joinConversation(ctx: HandlerContext, conversationId: string, afterSeq: number, ref?: string): Promise<void>;
export declare function handleConversationJoin(ctx: HandlerContext, frame: ConversationJoinFrame): Promise<void>;
