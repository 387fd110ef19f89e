import type { Message } from '@parley/protocol';
export interface TranscriptTextOptions {
    /** Shown in the heading, e.g. the site key. */
    siteName: string;
    /** The conversation's start, ms since the epoch. */
    startedAt: number;
}
/** Subject line: fixed text and the site's name only (never message text, which could carry a header). */
export declare function transcriptSubject(siteName: string): string;
export declare function transcriptText(messages: readonly Message[], options: TranscriptTextOptions): string;
