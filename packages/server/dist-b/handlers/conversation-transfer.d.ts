import { type TransferFrame } from '@parley/protocol';
import type { HandlerContext } from './context.js';
export declare function handleConversationTransfer(ctx: HandlerContext, frame: TransferFrame): Promise<void>;
