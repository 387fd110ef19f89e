import { type EscalateFrame } from '@parley/protocol';
import type { HandlerContext } from './context.js';
export declare function handleConversationEscalate(ctx: HandlerContext, frame: EscalateFrame): Promise<void>;
