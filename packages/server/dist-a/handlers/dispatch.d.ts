import { type ClientFrame } from '@parley/protocol';
import type { HandlerContext } from './context.js';
export declare function dispatch(ctx: HandlerContext, frame: ClientFrame): Promise<void>;
