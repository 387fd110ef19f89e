import { type BucketRate } from '../rate-limit.js';
import { type Mailer, type MailerOptions } from './mailer.js';
/** A shopper may ask a few times (a typo in the address), then one every 10 minutes. */
export declare const TRANSCRIPT_VISITOR_RATE: BucketRate;
/** The same conversation at most twice, then one an hour: one transcript cannot be used to flood an inbox. */
export declare const TRANSCRIPT_CONVERSATION_RATE: BucketRate;
export interface TranscriptMail {
    mailer: Mailer;
    /** Spends one of the visitor's and one of the conversation's sends; false when either is used up. */
    take(visitorId: string, conversationId: string): boolean;
    sweep(nowMs: number): void;
}
/** `mailer` instead of `smtpUrl`: tests and embedders bring their own transport. */
export type TranscriptMailOptions = (MailerOptions | {
    mailer: Mailer;
}) & {
    now: () => number;
};
export declare function createTranscriptMail(options: TranscriptMailOptions): TranscriptMail;
