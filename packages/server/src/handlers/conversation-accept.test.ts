import { afterEach, describe, expect, it } from 'vitest';
import type { ServerFrame } from '@parley/protocol';
import { createJsonLogger } from '../logger.js';
import { createServer, type ParleyServer } from '../server.js';
import { connectAgent, connectVisitor, type TestClient } from '../test-client.js';

const servers: ParleyServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 100 })));
});

describe('handleConversationAccept', () => {
  it('answers a message left while nobody was online: the accept takes it once, with its transcript and profile', async () => {
    const server = createServer({ secret: 's'.repeat(40), logger: createJsonLogger({ level: 'silent' }) });
    servers.push(server);
    const { url } = await server.listen(0, '127.0.0.1');
    const { client: v } = await connectVisitor(url);
    clients.push(v);
    const joined = await v.request({ type: 'conversation.start', clientId: 'start-1' });
    if (joined.type !== 'conversation.joined') throw new Error(JSON.stringify(joined));
    const id = joined.conversation.id;
    const transcript = [{ kind: 'question', text: 'engrave the straps?', at: 1 }];
    const escalated = await v.request({ type: 'conversation.escalate', conversationId: id, reason: 'out_of_scope', transcript, profile: { name: 'Jo', email: 'jo@example.com' } });
    expect(escalated).toMatchObject({ status: 'offline' });
    await v.request({ type: 'message.send', conversationId: id, clientId: 'left-1', text: 'Please call me back' });

    const alice = await server.createAgent({ name: 'Alice' });
    const bob = await server.createAgent({ name: 'Bob' });
    const { client: a } = await connectAgent(url, alice.token);
    const { client: b } = await connectAgent(url, bob.token);
    clients.push(a, b);
    const [ra, rb] = await Promise.all([
      a.request({ type: 'conversation.accept', conversationId: id }),
      b.request({ type: 'conversation.accept', conversationId: id }),
    ]);
    expect([ra, rb].map((f) => (f.type === 'error' ? f.code : f.type)).sort()).toEqual(['AUTH_FORBIDDEN', 'conversation.assigned']);
    expect(await v.next((f: ServerFrame) => f.type === 'agent.joined')).toMatchObject({ conversationId: id });
    const detail = await server.storage.getConversationDetail(id);
    expect(detail).toMatchObject({ status: 'assigned', escalationReason: 'out_of_scope', transcript, profile: { name: 'Jo', email: 'jo@example.com' } });
    // Accepting it again (a retry by the winner) is still answered as a success, and nothing is requeued.
    const winner = ra.type === 'conversation.assigned' ? a : b;
    expect(await winner.request({ type: 'conversation.accept', conversationId: id })).toMatchObject({ type: 'conversation.assigned' });
    expect((await server.storage.listQueue(detail!.siteId)).length).toBe(0);
  });
});
