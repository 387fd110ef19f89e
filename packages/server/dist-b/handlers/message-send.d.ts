import { type MessageSendFrame } from '@parley/protocol';
import type { HandlerContext } from './context.js';
export declare function handleMessageSend(ctx: HandlerContext, frame: MessageSendFrame): Promise<void>;
