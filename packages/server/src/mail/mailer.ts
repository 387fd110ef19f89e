// Sends mail through SMTP (nodemailer), configured by one URL. Owns the transport; knows nothing of conversations.

import nodemailer from 'nodemailer';
import { ParleyError } from '@parley/protocol';

export interface MailerOptions {
  /** `smtp://user:pass@host:587` or `smtps://…:465`; query options as nodemailer reads them. */
  smtpUrl: string;
  /** The From header, e.g. `Shop <help@shop.example>`. */
  from: string;
}

export interface Mailer {
  /** Plain text only. Rejects with EMAIL_SEND_FAILED (retryable) when the mail server refuses or cannot be reached. */
  send(mail: { to: string; subject: string; text: string }): Promise<void>;
  close(): void;
}

/** Time allowed for each SMTP step, so a dead mail server fails the request instead of holding it. */
const SMTP_TIMEOUT_MS = 15_000;

export function createMailer(options: MailerOptions): Mailer {
  const transport = nodemailer.createTransport({
    url: options.smtpUrl,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  });
  return {
    async send({ to, subject, text }) {
      try {
        await transport.sendMail({ from: options.from, to, subject, text });
      } catch (cause) {
        throw new ParleyError('EMAIL_SEND_FAILED', 'the mail server did not take the e-mail; try again later', { retryable: true, cause });
      }
    },
    close: () => transport.close(),
  };
}
