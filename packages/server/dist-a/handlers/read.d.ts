import type { ReadFrame } from '@parley/protocol';
import type { HandlerContext } from './context.js';
export declare function handleRead(ctx: HandlerContext, frame: ReadFrame): Promise<void>;
