import { afterEach, describe, expect, it } from 'vitest';
import { createJsonLogger } from '../logger.js';
import { createServer, type ParleyServer } from '../server.js';
import { connectAgent, connectVisitor, type TestClient } from '../test-client.js';

const servers: ParleyServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 100 })));
});

describe('handleMessageSend: quick replies', () => {
  it('an agent\'s quick replies reach the visitor live and in history; a visitor may not offer any', async () => {
    const server = createServer({ secret: 's'.repeat(40), logger: createJsonLogger({ level: 'silent' }) });
    servers.push(server);
    const { url } = await server.listen(0, '127.0.0.1');
    const alice = await server.createAgent({ name: 'Alice' });
    const { client: a } = await connectAgent(url, alice.token);
    const { client: v } = await connectVisitor(url);
    clients.push(a, v);
    const joined = await v.request({ type: 'conversation.start', clientId: 'start-1' });
    if (joined.type !== 'conversation.joined') throw new Error(JSON.stringify(joined));
    const id = joined.conversation.id;
    await v.request({ type: 'conversation.escalate', conversationId: id, reason: 'requested', transcript: [] });
    await a.request({ type: 'conversation.accept', conversationId: id });

    await a.request({ type: 'message.send', conversationId: id, clientId: 'a-1', text: 'Which size?', quickReplies: ['Small', 'Large'] });
    const live = await v.next((f) => f.type === 'message.new' && f.message.clientId === 'a-1');
    expect(live).toMatchObject({ message: { text: 'Which size?', quickReplies: ['Small', 'Large'] } });

    const refused = await v.request({ type: 'message.send', conversationId: id, clientId: 'v-1', text: 'x', quickReplies: ['Buy now'] });
    expect(refused).toMatchObject({ type: 'error', code: 'AUTH_FORBIDDEN' });
    // An empty list is no offer at all: stored without the field.
    await a.request({ type: 'message.send', conversationId: id, clientId: 'a-2', text: 'Plain', quickReplies: [] });

    const page = await v.request({ type: 'history.get', conversationId: id, afterSeq: 0, limit: 10 });
    if (page.type !== 'history.page') throw new Error(JSON.stringify(page));
    const byClient = Object.fromEntries(page.messages.map((m) => [m.clientId, m.quickReplies]));
    expect(byClient).toEqual({ 'a-1': ['Small', 'Large'], 'a-2': undefined });
  });
});
