// The server's transcript e-mail service: the mailer plus the per-visitor and per-conversation budgets, spent in
// the budgets every node shares (Redis) when there are several. Built once per server when mail is set up; absent
// otherwise (then the widget is not offered the option).

import type { BucketRate } from '../rate-limit.js';
import { createMemoryBudgets, type SharedBudgets } from '../shared-budgets.js';
import { createMailer, type Mailer, type MailerOptions } from './mailer.js';

/** A shopper may ask a few times (a typo in the address), then one every 10 minutes. */
export const TRANSCRIPT_VISITOR_RATE: BucketRate = { perSecond: 1 / 600, burst: 3 };
/** The same conversation at most twice, then one an hour: one transcript cannot be used to flood an inbox. */
export const TRANSCRIPT_CONVERSATION_RATE: BucketRate = { perSecond: 1 / 3600, burst: 2 };

export interface TranscriptMail {
  mailer: Mailer;
  /**
   * Spends one of the visitor's and one of the conversation's sends, on every node together; false when either is
   * used up. Rejects with RATE_LIMITED (retryable) when the shared budgets cannot be reached.
   */
  take(visitorId: string, conversationId: string): Promise<boolean>;
  sweep(nowMs: number): void;
}

/** `mailer` instead of `smtpUrl`: tests and embedders bring their own transport. */
export type TranscriptMailOptions = (MailerOptions | { mailer: Mailer }) & {
  now: () => number;
  /** Where the budgets are kept; default this process only. */
  budgets?: SharedBudgets;
};

export function createTranscriptMail(options: TranscriptMailOptions): TranscriptMail {
  const mailer = 'mailer' in options ? options.mailer : createMailer(options);
  const budgets = options.budgets ?? createMemoryBudgets();
  return {
    mailer,
    // A refusal on the conversation's budget still spends the visitor's: asking again and again is what it limits.
    take: (visitorId, conversationId) =>
      budgets.take(
        [
          { key: `transcript:visitor:${visitorId}`, rate: TRANSCRIPT_VISITOR_RATE },
          { key: `transcript:conversation:${conversationId}`, rate: TRANSCRIPT_CONVERSATION_RATE },
        ],
        options.now(),
      ),
    sweep: (nowMs) => budgets.sweep(nowMs),
  };
}
