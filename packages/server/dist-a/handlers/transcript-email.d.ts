import { type TranscriptEmailFrame } from '@parley/protocol';
import type { HandlerContext } from './context.js';
export declare function handleTranscriptEmail(ctx: HandlerContext, frame: TranscriptEmailFrame): Promise<void>;
