import type { TypingFrame } from '@parley/protocol';
import type { HandlerContext } from './context.js';
export declare function handleTyping(ctx: HandlerContext, frame: TypingFrame): Promise<void>;
