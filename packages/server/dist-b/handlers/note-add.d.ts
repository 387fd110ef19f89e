import { type NoteAddFrame } from '@parley/protocol';
import type { HandlerContext } from './context.js';
export declare function handleNoteAdd(ctx: HandlerContext, frame: NoteAddFrame): Promise<void>;
