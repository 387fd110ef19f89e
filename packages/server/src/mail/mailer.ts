// Sends mail through SMTP (nodemailer), configured by one URL. Owns the transport; knows nothing of conversations.

import nodemailer from 'nodemailer';
import { ParleyError } from '@parley/protocol';

export interface MailerOptions {
  /**
   * `smtp://user:pass@host:587` (STARTTLS required, except on a loopback host or with `?requireTLS=false`) or
   * `smtps://…:465`; query options as nodemailer reads them.
   */
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

/**
 * The transport options for a URL. `smtp://` to another host must upgrade with STARTTLS or fail: upgrading only
 * when offered lets anyone on the path strip the offer and read the credentials and transcripts in clear. A relay
 * on this machine (loopback) has no path to attack; `?requireTLS=false` is the explicit opt-out (the URL's own
 * query options override these).
 */
export function transportOptions(smtpUrl: string): { url: string; requireTLS?: true; connectionTimeout: number; greetingTimeout: number; socketTimeout: number } {
  const timeouts = { connectionTimeout: SMTP_TIMEOUT_MS, greetingTimeout: SMTP_TIMEOUT_MS, socketTimeout: SMTP_TIMEOUT_MS };
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    // Not ours to judge: nodemailer reports it when it connects, as EMAIL_SEND_FAILED.
    return { url: smtpUrl, ...timeouts };
  }
  const plain = url.protocol === 'smtp:' && !isLoopback(url.hostname);
  return { url: smtpUrl, ...(plain ? { requireTLS: true as const } : {}), ...timeouts };
}

function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function createMailer(options: MailerOptions): Mailer {
  const transport = nodemailer.createTransport(transportOptions(options.smtpUrl));
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
