import type { AvailabilityFrame } from '@parley/protocol';
import type { HandlerContext } from './context.js';
export declare function handleAgentAvailability(ctx: HandlerContext, frame: AvailabilityFrame): Promise<void>;
