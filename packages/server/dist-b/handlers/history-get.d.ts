import { type HistoryGetFrame } from '@parley/protocol';
import type { HandlerContext } from './context.js';
export declare function handleHistoryGet(ctx: HandlerContext, frame: HistoryGetFrame): Promise<void>;
