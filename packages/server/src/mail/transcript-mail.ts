// The server's transcript e-mail service: the mailer plus the per-visitor and per-conversation budgets. Built once
// per server when mail is set up; absent otherwise (then the widget is not offered the option).

import { KeyedBuckets, type BucketRate } from '../rate-limit.js';
import { createMailer, type Mailer, type MailerOptions } from './mailer.js';

/** A shopper may ask a few times (a typo in the address), then one every 10 minutes. */
export const TRANSCRIPT_VISITOR_RATE: BucketRate = { perSecond: 1 / 600, burst: 3 };
/** The same conversation at most twice, then one an hour: one transcript cannot be used to flood an inbox. */
export const TRANSCRIPT_CONVERSATION_RATE: BucketRate = { perSecond: 1 / 3600, burst: 2 };

export interface TranscriptMail {
  mailer: Mailer;
  /** Spends one of the visitor's and one of the conversation's sends; false when either is used up. */
  take(visitorId: string, conversationId: string): boolean;
  sweep(nowMs: number): void;
}

/** `mailer` instead of `smtpUrl`: tests and embedders bring their own transport. */
export type TranscriptMailOptions = (MailerOptions | { mailer: Mailer }) & { now: () => number };

export function createTranscriptMail(options: TranscriptMailOptions): TranscriptMail {
  const mailer = 'mailer' in options ? options.mailer : createMailer(options);
  const visitors = new KeyedBuckets(TRANSCRIPT_VISITOR_RATE);
  const conversations = new KeyedBuckets(TRANSCRIPT_CONVERSATION_RATE);
  return {
    mailer,
    // A refusal on the conversation's budget still spends the visitor's: asking again and again is what it limits.
    take: (visitorId, conversationId) => visitors.take(visitorId, options.now()) && conversations.take(conversationId, options.now()),
    sweep(nowMs) {
      visitors.sweep(nowMs);
      conversations.sweep(nowMs);
    },
  };
}
