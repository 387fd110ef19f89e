// The server's transcript e-mail service: the mailer plus its budgets (per client address, visitor, conversation and
// recipient), spent in the budgets every node shares (Redis) when there are several. Built once per server when mail is set up; absent
// otherwise (then the widget is not offered the option).

import { createHash } from 'node:crypto';
import type { BucketRate } from '../rate-limit.js';
import { rateKeyFor } from '../handshake.js';
import { createMemoryBudgets, type SharedBudgets } from '../shared-budgets.js';
import { createMailer, type Mailer, type MailerOptions } from './mailer.js';

/** A shopper may ask a few times (a typo in the address), then one every 10 minutes. */
export const TRANSCRIPT_VISITOR_RATE: BucketRate = { perSecond: 1 / 600, burst: 3 };
/** The same conversation at most twice, then one an hour: one transcript cannot be used to flood an inbox. */
export const TRANSCRIPT_CONVERSATION_RATE: BucketRate = { perSecond: 1 / 3600, burst: 2 };

/**
 * One client address (an IPv6 /64), whatever visitor ids it makes up: an anonymous visitor gets a new id per
 * connection, so the per-visitor budget alone would let one machine mail thousands of transcripts an hour.
 */
export const TRANSCRIPT_ADDRESS_RATE: BucketRate = { perSecond: 10 / 3600, burst: 10 };
/** One inbox, whoever asks: 3 a day, so the shop's mail server cannot be turned on a stranger's address. */
export const TRANSCRIPT_RECIPIENT_RATE: BucketRate = { perSecond: 3 / 86_400, burst: 3 };

export interface TranscriptSend {
  visitorId: string;
  conversationId: string;
  /** The recipient, as checked by isEmailAddress. */
  to: string;
  /** The client's address as the server resolved it (trustProxy applied); grouped by rateKeyFor. */
  address: string;
}

export interface TranscriptMail {
  mailer: Mailer;
  /**
   * Spends one send of the client address, the visitor, the conversation and the recipient, on every node together
   * and atomically; false when any is used up. Rejects with RATE_LIMITED (retryable) when the shared budgets cannot
   * be reached.
   */
  take(send: TranscriptSend): Promise<boolean>;
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
    // Spent in order up to the first empty bucket: the asker's own budgets first (asking again and again is what they
    // limit), the recipient's last, so a refused asker cannot use up a stranger's three mails a day.
    take: ({ visitorId, conversationId, to, address }) =>
      budgets.take(
        [
          { key: `transcript:address:${rateKeyFor(address)}`, rate: TRANSCRIPT_ADDRESS_RATE },
          { key: `transcript:visitor:${visitorId}`, rate: TRANSCRIPT_VISITOR_RATE },
          { key: `transcript:conversation:${conversationId}`, rate: TRANSCRIPT_CONVERSATION_RATE },
          { key: `transcript:recipient:${recipientKey(to)}`, rate: TRANSCRIPT_RECIPIENT_RATE },
        ],
        options.now(),
      ),
    sweep: (nowMs) => budgets.sweep(nowMs),
  };
}

/**
 * One key per inbox: case folded and a `+tag` dropped (most providers deliver `ada+1@` to `ada@`), hashed so the
 * budget store (Redis) holds no addresses.
 */
export function recipientKey(to: string): string {
  const at = to.lastIndexOf('@');
  const local = to.slice(0, at).split('+')[0]!;
  return createHash('sha256').update(`${local}@${to.slice(at + 1)}`.toLowerCase()).digest('base64url');
}
