import { type AcceptFrame } from '@parley/protocol';
import type { HandlerContext } from './context.js';
export declare function handleConversationAccept(ctx: HandlerContext, frame: AcceptFrame): Promise<void>;
