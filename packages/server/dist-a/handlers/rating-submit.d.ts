import type { RateFrame } from '@parley/protocol';
import type { HandlerContext } from './context.js';
export declare function handleRatingSubmit(ctx: HandlerContext, frame: RateFrame): Promise<void>;
