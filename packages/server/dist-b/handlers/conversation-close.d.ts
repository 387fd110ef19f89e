import { type CloseFrame } from '@parley/protocol';
import type { HandlerContext } from './context.js';
export declare function handleConversationClose(ctx: HandlerContext, frame: CloseFrame): Promise<void>;
