import { afterEach, describe, expect, it } from 'vitest';
import { createJsonLogger, REDACTED } from './logger.js';
import { createServer, type ParleyServer } from './server.js';
import { connectAgent, connectVisitor, type TestClient } from './test-client.js';

const servers: ParleyServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 50 })));
});

function capture(level: 'debug' | 'info') {
  const lines: string[] = [];
  return { lines, logger: createJsonLogger({ level, write: (line) => lines.push(line) }) };
}

describe('createJsonLogger', () => {
  it('writes one JSON object per line with level, t and event, and honours the level', () => {
    const { lines, logger } = capture('info');
    logger.debug('hidden');
    logger.info('shown', { conversationId: 'c_1', n: 2 });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', event: 'shown', conversationId: 'c_1', n: 2, t: expect.any(Number) });
  });

  it('redacts tokens, passwords and message text even when a caller passes them, nested too', () => {
    const { lines, logger } = capture('debug');
    const cyclic: Record<string, unknown> = { id: 'x' };
    cyclic.self = cyclic;
    logger.debug('oops', { token: 'tok-1', frame: { type: 'message.send', text: 'hello there', meta: { password: 'pw-1' } }, cyclic });
    const line = lines[0]!;
    expect(line).not.toMatch(/tok-1|hello there|pw-1/);
    const parsed = JSON.parse(line) as { token: string; frame: { type: string; text: string; meta: { password: string } } };
    expect(parsed.token).toBe(REDACTED);
    expect(parsed.frame.text).toBe(REDACTED);
    expect(parsed.frame.meta.password).toBe(REDACTED);
    expect(parsed.frame.type).toBe('message.send');
  });
});

describe('logs of a real flow', () => {
  it('hold no token, password, or message text at info level', async () => {
    const { lines, logger } = capture('info');
    const server = createServer({ secret: 's'.repeat(40), logger });
    servers.push(server);
    const { url } = await server.listen(0, '127.0.0.1');
    const password = 'pw-correct-horse-9';
    const { token: agentToken } = await server.createAgent({ name: 'Alice', email: 'alice@shop.io', password });

    const login = await fetch(`${url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'alice@shop.io', password }),
    });
    const { token: sessionToken } = (await login.json()) as { token: string };
    expect((await fetch(`${url}/api/me`, { headers: { authorization: 'Bearer not-a-real-token-xyz' } })).status).toBe(401);

    const v = await connectVisitor(url);
    clients.push(v.client);
    const visitorToken = (v.welcome as { token: string }).token;
    const started = await v.client.request({ type: 'conversation.start', clientId: 'start-1' });
    const conversationId = (started as { conversation: { id: string } }).conversation.id;
    const visitorText = 'my card number is 4111-secret-body';
    await v.client.request({ type: 'message.send', conversationId, clientId: 'm1', text: visitorText });
    await v.client.request({
      type: 'conversation.escalate',
      conversationId,
      reason: 'asked_for_human',
      transcript: [{ kind: 'question', text: 'transcript-secret-question', at: 1 }],
    });
    const a = await connectAgent(url, sessionToken);
    clients.push(a.client);
    const agentB = await connectAgent(url, agentToken);
    clients.push(agentB.client);
    await a.client.request({ type: 'conversation.accept', conversationId });
    const agentText = 'agent-reply-secret-body';
    await a.client.request({ type: 'message.send', conversationId, clientId: 'a1', text: agentText });
    // A refused frame carrying text is logged too (as a refusal): its text must not be.
    await v.client.request({ type: 'message.send', conversationId: 'c_nope', clientId: 'm2', text: 'refused-secret-body' });
    await a.client.request({ type: 'conversation.close', conversationId });
    await v.client.request({ type: 'rating.submit', conversationId, score: 4, comment: 'comment-secret-body' });
    await servers.pop()!.close({ graceMs: 50 });

    const all = lines.join('');
    // The flow did log (so the assertions below are not vacuous).
    const events = lines.map((l) => (JSON.parse(l) as { event: string; level: string }));
    expect(events.every((e) => e.level !== 'debug')).toBe(true);
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['console.login', 'server.closed']));
    for (const secret of [agentToken, sessionToken, visitorToken, password, 'not-a-real-token-xyz', visitorText, agentText, 'refused-secret-body', 'comment-secret-body', 'transcript-secret-question']) {
      expect(all).not.toContain(secret);
    }
  });
});
