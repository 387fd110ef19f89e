// Transcript e-mails through a real SMTP receiver (smtp-server on a random port): recipient, subject, a plain-text
// body with the messages, nothing parsed as HTML; and every refusal with its code.
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createJsonLogger } from '../logger.js';
import { createMailer, type Mailer } from '../mail/mailer.js';
import { createServer, type CreateServerOptions, type ParleyServer } from '../server.js';
import { createRedisBudgets } from '../shared-budgets.js';
import { createSqliteStorage } from '../storage/sqlite.js';
import { connectAgent, connectVisitor, type TestClient } from '../test-client.js';

interface Received {
  from: string;
  to: string[];
  raw: string;
}

const servers: ParleyServer[] = [];
const clients: TestClient[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 50 })));
  await Promise.all(closers.splice(0).map((c) => c()));
});

/** A real SMTP server on a random loopback port; `refuse` makes it reject every recipient. */
async function smtpReceiver(options: { refuse?: boolean } = {}) {
  const received: Received[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.refuse) return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
      callback();
    },
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
  closers.push(() => new Promise((resolve) => smtp.close(() => resolve())));
  return { url: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`, received };
}

/** RFC 2045 quoted-printable, as nodemailer writes it for text with non-ASCII characters (the dashes). */
function decodeQuotedPrintable(text: string): string {
  const bytes = text.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => `%${hex}`);
  return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/g, '%25'));
}

async function start(options: CreateServerOptions = {}) {
  const server = createServer({ secret: 's'.repeat(40), logger: createJsonLogger({ level: 'silent' }), ...options });
  servers.push(server);
  const { url } = await server.listen(0, '127.0.0.1');
  return { server, url };
}

/** A visitor and an agent chat (hostile text included); `close` ends it. */
async function chat(server: ParleyServer, url: string, clientId = 'start-1', existing?: TestClient) {
  const agentToken = (await server.createAgent({ name: 'Alice <b>' })).token;
  const { client: a } = await connectAgent(url, agentToken);
  const v = existing ?? (await connectVisitor(url)).client;
  clients.push(a);
  if (existing === undefined) clients.push(v);
  const joined = await v.request({ type: 'conversation.start', clientId });
  if (joined.type !== 'conversation.joined') throw new Error(JSON.stringify(joined));
  const id = joined.conversation.id;
  await v.request({ type: 'conversation.escalate', conversationId: id, reason: 'requested', transcript: [] });
  await a.request({ type: 'conversation.accept', conversationId: id });
  await v.request({ type: 'message.send', conversationId: id, clientId: 'v-1', text: 'Where is order 1234? <script>alert(1)</script>' });
  await a.request({ type: 'message.send', conversationId: id, clientId: 'a-1', text: 'It ships today.\nAlice: <img src=x onerror=alert(1)>' });
  return { v, a, id, close: () => a.request({ type: 'conversation.close', conversationId: id, reason: 'resolved' }) };
}

describe('handleTranscriptEmail', () => {
  it('mails a closed conversation as plain text to the address given, through SMTP', async () => {
    const smtp = await smtpReceiver();
    const { server, url } = await start({ mail: { smtpUrl: smtp.url, from: 'Shop <help@shop.example>' } });
    const { v, id, close } = await chat(server, url);
    await close();
    const reply = await v.request({ type: 'transcript.email', conversationId: id, email: '  ada@example.com ' });
    expect(reply).toMatchObject({ type: 'ok' });

    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail!.to).toEqual(['ada@example.com']);
    expect(mail!.from).toBe('help@shop.example');
    const [head, ...rest] = mail!.raw.split('\r\n\r\n');
    expect(head).toMatch(/^Content-Transfer-Encoding: (7bit|quoted-printable)$/m);
    const body = decodeQuotedPrintable(rest.join('\r\n\r\n')).replace(/\r\n/g, '\n');
    expect(head).toMatch(/^To: ada@example\.com$/m);
    expect(head).toMatch(/^Subject: Your chat transcript \(demo\)$/m);
    expect(head).toMatch(/^Content-Type: text\/plain; charset=utf-8$/m);
    // One plain-text part: no HTML for a mail client to render, whatever the messages hold.
    expect(mail!.raw).not.toMatch(/text\/html|multipart/i);
    expect(body).toMatch(/\] You: Where is order 1234\? <script>alert\(1\)<\/script>\n/);
    // The agent's second line is indented: it cannot pass for a line by someone else.
    expect(body).toMatch(/\] Alice <b>: It ships today\.\n {4}Alice: <img src=x onerror=alert\(1\)>\n/);
    expect(body.indexOf('Where is order')).toBeLessThan(body.indexOf('It ships today'));
  });

  it('refuses with a code: no mail set up, a bad address, an open chat, too many, and a mail server that refuses', async () => {
    const plain = await start();
    const first = await chat(plain.server, plain.url);
    await first.close();
    expect(await first.v.request({ type: 'transcript.email', conversationId: first.id, email: 'ada@example.com' })).toMatchObject({ type: 'error', code: 'EMAIL_UNAVAILABLE' });

    const smtp = await smtpReceiver();
    const { server, url } = await start({ mail: { smtpUrl: smtp.url, from: 'help@shop.example' } });
    const { v, id, close } = await chat(server, url);
    const ask = (email: string, conversationId = id) => v.request({ type: 'transcript.email', conversationId, email });
    expect(await ask('ada@example.com')).toMatchObject({ type: 'error', code: 'CONVERSATION_NOT_CLOSED' });
    await close();
    for (const bad of ['ada', 'ada@localhost', 'a b@example.com', 'ada@example.com\r\nBcc: eve@example.com', '<ada@example.com>', `${'a'.repeat(250)}@example.com`]) {
      expect(await ask(bad), bad).toMatchObject({ type: 'error', code: 'EMAIL_INVALID' });
    }
    // Someone else's conversation is not found, whatever the address.
    const other = await connectVisitor(url);
    clients.push(other.client);
    expect(await other.client.request({ type: 'transcript.email', conversationId: id, email: 'eve@example.com' })).toMatchObject({ type: 'error', code: 'CONVERSATION_NOT_FOUND' });

    // Two per conversation, then RATE_LIMITED (retryable); nothing more reaches the mail server.
    expect(await ask('ada@example.com')).toMatchObject({ type: 'ok' });
    expect(await ask('ada@example.com')).toMatchObject({ type: 'ok' });
    expect(await ask('ada@example.com')).toMatchObject({ type: 'error', code: 'RATE_LIMITED', retryable: true });
    expect(smtp.received).toHaveLength(2);
    expect(smtp.received.every((m) => m.to.join() === 'ada@example.com')).toBe(true);

    const refusing = await smtpReceiver({ refuse: true });
    const third = await start({ mail: { smtpUrl: refusing.url, from: 'help@shop.example' } });
    const failed = await chat(third.server, third.url);
    await failed.close();
    expect(await failed.v.request({ type: 'transcript.email', conversationId: failed.id, email: 'ada@example.com' })).toMatchObject({ type: 'error', code: 'EMAIL_SEND_FAILED', retryable: true });
  });

  it('limits one inbox and one client address, however many fresh visitors close their own chats to ask', async () => {
    const smtp = await smtpReceiver();
    // Exempt from the connection and start limits (as an attacker pacing under them would be): only the mail's own
    // budgets are left to hold.
    const loopback = ['127.0.0.1', '::ffff:127.0.0.1'];
    const { url } = await start({ mail: { smtpUrl: smtp.url, from: 'help@shop.example' }, rateExemptAddresses: loopback });
    /** A new anonymous visitor (a new id), who starts a chat, writes, closes it and asks for its transcript. */
    const attempt = async (email: string) => {
      const { client } = await connectVisitor(url);
      clients.push(client);
      const joined = await client.request({ type: 'conversation.start', clientId: 'start-1' });
      if (joined.type !== 'conversation.joined') throw new Error(JSON.stringify(joined));
      const conversationId = joined.conversation.id;
      await client.request({ type: 'message.send', conversationId, clientId: 'm-1', text: 'Buy cheap pills at example.net' });
      expect(await client.request({ type: 'conversation.close', conversationId })).toMatchObject({ type: 'conversation.closed', by: 'visitor' });
      const reply = await client.request({ type: 'transcript.email', conversationId, email });
      client.close();
      return reply;
    };
    for (let i = 0; i < 3; i++) expect(await attempt('victim@example.com'), `send ${i}`).toMatchObject({ type: 'ok' });
    expect(await attempt('Victim+x@example.com')).toMatchObject({ type: 'error', code: 'RATE_LIMITED', retryable: true });
    // Other inboxes, from the same address: ten in all, then refused.
    for (let i = 0; i < 6; i++) expect(await attempt(`other${i}@example.com`), `other ${i}`).toMatchObject({ type: 'ok' });
    expect(await attempt('last@example.com')).toMatchObject({ type: 'error', code: 'RATE_LIMITED', retryable: true });
    expect(smtp.received).toHaveLength(9);
    expect(smtp.received.filter((m) => m.to.join() === 'victim@example.com')).toHaveLength(3);
  });

  it('leaves a lent mailer open when it closes: its owner (here a second server) still sends with it', async () => {
    const smtp = await smtpReceiver();
    const real = createMailer({ smtpUrl: `${smtp.url}?pool=true`, from: 'help@shop.example' });
    let closes = 0;
    const mailer: Mailer = { send: (mail) => real.send(mail), close: () => ((closes += 1), real.close()) };
    closers.push(async () => real.close());
    const first = await start({ mail: { mailer } });
    const second = await start({ mail: { mailer } });
    await first.server.close({ graceMs: 50 });
    servers.splice(servers.indexOf(first.server), 1);
    expect(closes).toBe(0);
    const { v, id, close } = await chat(second.server, second.url);
    await close();
    expect(await v.request({ type: 'transcript.email', conversationId: id, email: 'ada@example.com' })).toMatchObject({ type: 'ok' });
    expect(smtp.received).toHaveLength(1);
  });

  it('is for visitors only', async () => {
    const smtp = await smtpReceiver();
    const { server, url } = await start({ mail: { smtpUrl: smtp.url, from: 'help@shop.example' } });
    const { a, id, close } = await chat(server, url);
    await close();
    expect(await a.request({ type: 'transcript.email', conversationId: id, email: 'ada@example.com' })).toMatchObject({ type: 'error', code: 'AUTH_FORBIDDEN' });
    expect(smtp.received).toHaveLength(0);
  });

  it.skipIf(process.env.REDIS_URL === undefined)('holds the budgets across two nodes sharing Redis, not per node', async () => {
    const smtp = await smtpReceiver();
    // Two nodes on one database, each with its own Redis connection; a prefix of their own keeps this test apart.
    const storage = createSqliteStorage({ path: ':memory:' });
    closers.push(() => storage.close());
    const prefix = `parley-test-${process.pid}-${Date.now()}:`;
    closers.push(async () => {
      // The buckets would expire on their own, in up to half an hour; a test leaves nothing behind.
      const redis = new Redis(process.env.REDIS_URL!);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    });
    const node = async () => {
      const budgets = await createRedisBudgets({ url: process.env.REDIS_URL!, prefix });
      closers.push(() => budgets.close());
      return start({ storage, budgets, mail: { smtpUrl: smtp.url, from: 'help@shop.example' } });
    };
    const a = await node();
    const b = await node();
    const visitorOnA = await connectVisitor(a.url);
    clients.push(visitorOnA.client);
    const token = (visitorOnA.welcome as { token?: string }).token;
    const first = await chat(a.server, a.url, 'start-1', visitorOnA.client);
    await first.close();
    const second = await chat(a.server, a.url, 'start-2', visitorOnA.client);
    await second.close();
    const visitorOnB = (await connectVisitor(b.url, { token })).client;
    clients.push(visitorOnB);
    const ask = (client: TestClient, conversationId: string) => client.request({ type: 'transcript.email', conversationId, email: 'ada@example.com' });

    // The conversation's two sends, one per node; a third on either node is refused (per node, B had one left).
    expect(await ask(visitorOnA.client, first.id)).toMatchObject({ type: 'ok' });
    expect(await ask(visitorOnB, first.id)).toMatchObject({ type: 'ok' });
    expect(await ask(visitorOnB, first.id)).toMatchObject({ type: 'error', code: 'RATE_LIMITED', retryable: true });
    // That refusal spent the visitor's third send: another conversation is refused too (per node, B had two sends).
    expect(await ask(visitorOnB, second.id)).toMatchObject({ type: 'error', code: 'RATE_LIMITED', retryable: true });
    expect(await ask(visitorOnA.client, second.id)).toMatchObject({ type: 'error', code: 'RATE_LIMITED' });
    expect(smtp.received).toHaveLength(2);
  });
});
