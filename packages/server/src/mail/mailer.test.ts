// The SMTP transport's TLS rule, against a real smtp-server that offers no STARTTLS (as a path that strips the
// offer would show it): to a host beyond this machine the mail is refused rather than sent in clear, unless the
// URL opts out; a loopback relay is trusted.

import { networkInterfaces } from 'node:os';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createMailer, transportOptions } from './mailer.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

/** This machine's first non-loopback IPv4 address: a host nodemailer must treat as remote. */
const outward = Object.values(networkInterfaces())
  .flat()
  .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal)?.address;

/** A plain SMTP receiver on every interface, on a random port; `received` holds each recipient list. */
async function plainReceiver() {
  const received: string[][] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        received.push(session.envelope.rcptTo.map((r) => r.address));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '0.0.0.0', resolve));
  closers.push(() => new Promise((resolve) => smtp.close(() => resolve())));
  return { port: (smtp.server.address() as AddressInfo).port, received };
}

const mail = { to: 'ada@example.com', subject: 'Your chat transcript (demo)', text: 'hello' };

describe('createMailer', () => {
  it.skipIf(outward === undefined)('refuses to send in clear to a remote host that offers no STARTTLS, unless the URL opts out', async () => {
    const { port, received } = await plainReceiver();
    const strict = createMailer({ smtpUrl: `smtp://${outward}:${port}`, from: 'help@shop.example' });
    closers.push(async () => strict.close());
    await expect(strict.send(mail)).rejects.toMatchObject({ code: 'EMAIL_SEND_FAILED', retryable: true });
    expect(received).toHaveLength(0);

    const optedOut = createMailer({ smtpUrl: `smtp://${outward}:${port}?requireTLS=false`, from: 'help@shop.example' });
    closers.push(async () => optedOut.close());
    await optedOut.send(mail);
    expect(received).toEqual([['ada@example.com']]);
  });

  it('sends in clear to a loopback relay', async () => {
    const { port, received } = await plainReceiver();
    const local = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'help@shop.example' });
    closers.push(async () => local.close());
    await local.send(mail);
    expect(received).toEqual([['ada@example.com']]);
  });
});

describe('transportOptions', () => {
  it('requires STARTTLS for smtp:// beyond loopback, and nowhere else', () => {
    for (const url of ['smtp://mail.example:587', 'smtp://user:pass@10.0.0.5', 'smtp://[2001:db8::1]:25', 'smtp://127.evil.example']) {
      expect(transportOptions(url), url).toMatchObject({ url, requireTLS: true });
    }
    for (const url of ['smtps://mail.example:465', 'smtp://localhost:25', 'smtp://LOCALHOST', 'smtp://relay.localhost', 'smtp://127.0.0.1:1025', 'smtp://127.1.2.3', 'smtp://[::1]:25', 'not a url']) {
      expect(transportOptions(url), url).not.toHaveProperty('requireTLS');
    }
  });
});
