// Shopper identity end to end: the real transport with `getIdentity` against a real server on a site that requires
// a verified identity. A JWT-proven session that outlives its JWT is closed (4004); the client fetches a fresh JWT,
// reconnects with the same visitor token, and the message that was refused is delivered once.

import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createJsonLogger, createServer, createSqliteStorage, signIdentity, type ParleyServer, type Storage } from '@parley/server';
import { createClient, memoryStorage, type ParleyClient } from '@parley/transport';
import type { ParleyError } from '@parley/protocol';

const identitySecret = 'j'.repeat(40);

/** An HS256 JWT, written out so the test does not trust the library the server verifies with. */
function hs256(claims: Record<string, unknown>, key = identitySecret): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${unsigned}.${createHmac('sha256', key).update(unsigned).digest('base64url')}`;
}

let server: ParleyServer | undefined;
let storage: Storage | undefined;
const clients: ParleyClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close({ graceMs: 100 });
  await storage?.close();
});

async function start(now: () => number) {
  storage = createSqliteStorage({ path: ':memory:' });
  await storage.createSite({ key: 'secure', allowedOrigins: ['*'], identitySecret, requiresIdentity: true });
  server = createServer({ secret: 'w'.repeat(40), storage, now, logger: createJsonLogger({ level: 'silent' }) });
  const { url } = await server.listen(0, '127.0.0.1');
  return `${url.replace(/^http/, 'ws')}/ws/visitor`;
}

function visitor(url: string, getIdentity: () => { userId?: string; hmac?: string; jwt?: string } | undefined) {
  let token: string | undefined;
  const errors: string[] = [];
  const client = createClient({
    url,
    role: 'visitor',
    siteKey: 'secure',
    WebSocket: WebSocket as never,
    getToken: () => token,
    getIdentity,
    storage: memoryStorage(),
    backoff: { baseMs: 20, capMs: 100, stableAfterMs: 1000 },
  });
  client.on('token', (t) => (token = t));
  client.on('error', (e: ParleyError) => errors.push(e.code));
  clients.push(client);
  return { client, errors, token: () => token };
}

describe('shopper identity through the transport', () => {
  it('reconnects with a fresh JWT and the same visitor when the old JWT expires mid-chat', async () => {
    let skewMs = 0;
    const serverNow = () => Date.now() + skewMs;
    const url = await start(serverNow);
    let asked = 0;
    const { client, errors, token } = visitor(url, () => {
      asked++;
      const iat = Math.floor(serverNow() / 1000);
      return { jwt: hs256({ sub: 'shopper-1', iat, exp: iat + 60 }) };
    });
    const conversation = await client.startConversation();
    await client.send(conversation.id, 'before').acked;
    const firstToken = token();
    expect(firstToken).toBeDefined();

    skewMs = 5 * 60_000;
    await client.send(conversation.id, 'after').acked;
    expect(errors).toContain('AUTH_IDENTITY_INVALID');
    expect(asked).toBeGreaterThanOrEqual(2);
    // Same visitor: the token was not thrown away, and both messages sit in one conversation, by one author.
    const { messages } = await storage!.listMessages({ conversationId: conversation.id, afterSeq: 0, limit: 10 });
    expect(messages.filter((m) => m.kind === 'text').map((m) => m.text)).toEqual(['before', 'after']);
    expect(new Set(messages.filter((m) => m.kind === 'text').map((m) => m.author.id)).size).toBe(1);
    expect((await storage!.getVisitor(messages[0]!.author.id))?.externalId).toBe('shopper-1');
  });

  it('is refused without an identity (4004, not final), and gets in once the page has one', async () => {
    const url = await start(Date.now);
    let identity: { userId: string; hmac: string } | undefined;
    let asked = 0;
    const { client, errors } = visitor(url, () => (asked++, identity));
    await expect(client.startConversation()).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
    expect(errors).toContain('AUTH_IDENTITY_REQUIRED');
    // The shopper logs in on the site; the next attempt carries the identity and the same client gets in.
    identity = { userId: 'shopper-2', hmac: signIdentity(identitySecret, 'shopper-2') };
    const conversation = await client.startConversation();
    expect(conversation.id).toBeDefined();
    expect(asked).toBeGreaterThanOrEqual(2);
  });
});
