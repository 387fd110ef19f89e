import { type HelloFrame } from '@parley/protocol';
import type { HandlerContext } from './context.js';
export declare function handleHello(ctx: HandlerContext, frame: HelloFrame): Promise<void>;
