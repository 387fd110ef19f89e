// "No token ever appears in a URL": the real transport, a visitor and an agent chatting through a real server, with
// every HTTP request line and upgrade URL the server sees recorded and searched for the credentials in use.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createJsonLogger, createServer, type ParleyServer } from '@parley/server';
import { createClient, memoryStorage, type ParleyClient } from '@parley/transport';

let server: ParleyServer;
let url: string;
const seenUrls: string[] = [];
const clients: ParleyClient[] = [];

beforeAll(async () => {
  server = createServer({ secret: 'u'.repeat(40), logger: createJsonLogger({ level: 'silent' }) });
  server.httpServer.prependListener('request', (req) => seenUrls.push(req.url ?? ''));
  server.httpServer.prependListener('upgrade', (req) => seenUrls.push(req.url ?? ''));
  ({ url } = await server.listen(0, '127.0.0.1'));
});

afterAll(async () => {
  for (const client of clients) client.close();
  await server.close({ graceMs: 100 });
});

function client(role: 'visitor' | 'agent', getToken: () => string | undefined) {
  const c = createClient({ url: `${url.replace(/^http/, 'ws')}/ws/${role}`, role, WebSocket: WebSocket as never, getToken, storage: memoryStorage() });
  clients.push(c);
  return c;
}

describe('credentials and URLs', () => {
  it('never puts a visitor token, agent token or session token in a URL', async () => {
    const { agent, token: agentToken } = await server.createAgent({ name: 'Alice', email: 'alice@shop.example', password: 'correct horse' });
    const login = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'alice@shop.example', password: 'correct horse' }) });
    const { token: sessionToken } = (await login.json()) as { token: string };
    expect((await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${sessionToken}` } })).status).toBe(200);

    let visitorToken: string | undefined;
    const visitor = client('visitor', () => visitorToken);
    visitor.on('token', (t) => (visitorToken = t));
    const conversation = await visitor.startConversation();
    visitor.send(conversation.id, 'hello');
    await expect.poll(() => visitorToken).toBeDefined();
    // Reconnecting makes the transport present the stored token: still only in `hello`.
    visitor.close();
    const again = client('visitor', () => visitorToken);
    const rejoined = await again.startConversation({ clientId: 'second' });
    expect(rejoined.id).toBeDefined();

    const agentSide = client('agent', () => agentToken);
    agentSide.connect();
    const viaSession = client('agent', () => sessionToken);
    viaSession.connect();
    await expect.poll(() => server.connectionCount()).toBeGreaterThanOrEqual(3);
    expect(agent.id).toBeDefined();

    expect(seenUrls.length).toBeGreaterThan(3);
    for (const secret of [visitorToken!, agentToken, sessionToken]) {
      for (const seen of seenUrls) expect(seen).not.toContain(secret);
      for (const seen of seenUrls) expect(decodeURIComponent(seen)).not.toContain(secret.slice(0, 16));
    }
  });
});
