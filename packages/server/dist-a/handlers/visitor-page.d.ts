import type { PageViewFrame } from '@parley/protocol';
import type { HandlerContext } from './context.js';
export declare function handleVisitorPage(ctx: HandlerContext, frame: PageViewFrame): Promise<void>;
