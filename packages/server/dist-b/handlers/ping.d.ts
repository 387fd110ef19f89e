import type { PingFrame } from '@parley/protocol';
import type { HandlerContext } from './context.js';
export declare function handlePing(ctx: HandlerContext, frame: PingFrame): Promise<void>;
