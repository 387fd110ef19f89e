import { type ConversationStartFrame } from '@parley/protocol';
import type { HandlerContext } from './context.js';
export declare function handleConversationStart(ctx: HandlerContext, frame: ConversationStartFrame): Promise<void>;
