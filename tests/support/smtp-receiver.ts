// A real SMTP server on a random loopback port for the suites that check what Parley e-mails: every message with its
// envelope and raw text. No assertions here.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

export interface SmtpReceiver {
  /** `smtp://127.0.0.1:<port>` for the server's `mail.smtpUrl`. */
  url: string;
  received: ReceivedMail[];
  close(): Promise<void>;
}

export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const received: ReceivedMail[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise((resolve) => smtp.close(() => resolve())),
  };
}

/** The decoded text body of a single-part mail (quoted-printable or 7bit), CRLF as LF. */
export function mailText(raw: string): string {
  const [head = '', ...rest] = raw.split('\r\n\r\n');
  let body = rest.join('\r\n\r\n');
  if (/^Content-Transfer-Encoding: quoted-printable$/im.test(head)) {
    const escaped = body.replace(/=\r\n/g, '').replace(/%/g, '%25').replace(/=([0-9A-F]{2})/g, '%$1');
    body = decodeURIComponent(escaped);
  }
  return body.replace(/\r\n/g, '\n');
}
