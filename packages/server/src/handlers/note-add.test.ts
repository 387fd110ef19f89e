import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type ServerFrame } from '@parley/protocol';
import { createJsonLogger } from '../logger.js';
import { createServer, type ParleyServer } from '../server.js';
import { connectAgent, connectVisitor, type TestClient } from '../test-client.js';

const servers: ParleyServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 100 })));
});

async function start() {
  const server = createServer({ secret: 's'.repeat(40), logger: createJsonLogger({ level: 'silent' }) });
  servers.push(server);
  const { url } = await server.listen(0, '127.0.0.1');
  return { server, url };
}

const mentionsNote = (frames: ServerFrame[]) => frames.some((f) => f.type === 'note.new' || JSON.stringify(f).includes('NOTE-SECRET'));

describe('handleNoteAdd', () => {
  it('delivers notes to agents only: never to the visitor, live, on resume or in history pages', async () => {
    const { server, url } = await start();
    const alice = await server.createAgent({ name: 'Alice' });
    const bob = await server.createAgent({ name: 'Bob' });
    const { client: a } = await connectAgent(url, alice.token);
    const { client: b } = await connectAgent(url, bob.token);
    const { client: v, welcome } = await connectVisitor(url);
    clients.push(a, b, v);
    const joined = await v.request({ type: 'conversation.start', clientId: 'start-1' });
    if (joined.type !== 'conversation.joined') throw new Error(JSON.stringify(joined));
    const id = joined.conversation.id;
    await v.request({ type: 'conversation.escalate', conversationId: id, reason: 'requested', transcript: [] });
    expect(await a.request({ type: 'conversation.accept', conversationId: id })).toMatchObject({ type: 'conversation.assigned' });
    await a.request({ type: 'conversation.join', conversationId: id, afterSeq: 0 });
    await v.request({ type: 'message.send', conversationId: id, clientId: 'v-1', text: 'where is my parcel?' });

    const reply = await a.request({ type: 'note.add', conversationId: id, clientId: 'n-1', text: 'NOTE-SECRET 1: VIP, refund ok' });
    expect(reply).toMatchObject({ type: 'note.new', note: { conversationId: id, clientId: 'n-1', author: { role: 'agent', id: alice.agent.id, name: 'Alice' }, text: 'NOTE-SECRET 1: VIP, refund ok' } });
    // Every agent of the site gets it (a colleague about to take a transfer), without having joined the chat.
    expect(await b.next((f) => f.type === 'note.new')).toMatchObject({ note: { clientId: 'n-1' } });
    // A retry answers with the stored note and is not pushed twice.
    const retry = await a.request({ type: 'note.add', conversationId: id, clientId: 'n-1', text: 'changed' });
    expect(retry).toMatchObject({ type: 'note.new', note: { text: 'NOTE-SECRET 1: VIP, refund ok' } });

    // The visitor's next message from the agent follows the last one with no gap: notes take no seq.
    const sent = await a.request({ type: 'message.send', conversationId: id, clientId: 'a-1', text: 'Looking into it' });
    const seen = await v.next((f) => f.type === 'message.new' && f.message.clientId === 'a-1');
    expect(seen.type === 'message.new' && seen.message.seq).toBe(sent.type === 'message.ack' ? sent.seq : -1);
    const seqs = v.frames.flatMap((f) => (f.type === 'message.new' ? [f.message.seq] : []));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));

    // A note written while the visitor is away is not in the resume replay either.
    v.close();
    await v.closed;
    await a.request({ type: 'note.add', conversationId: id, clientId: 'n-2', text: 'NOTE-SECRET 2: called back' });
    await a.request({ type: 'message.send', conversationId: id, clientId: 'a-2', text: 'Found it' });
    const { client: v2 } = await connectVisitor(url, { token: welcome.token, resume: [{ conversationId: id, afterSeq: 0 }] });
    clients.push(v2);
    await v2.next((f) => f.type === 'message.new' && f.message.clientId === 'a-2');
    const page = await v2.request({ type: 'history.get', conversationId: id, afterSeq: 0, limit: 100 });
    expect(page.type === 'history.page' && page.messages.map((m) => m.text)).toEqual(expect.arrayContaining(['where is my parcel?', 'Looking into it', 'Found it']));
    await a.request({ type: 'note.add', conversationId: id, clientId: 'n-3', text: 'NOTE-SECRET 3: while connected' });
    await a.request({ type: 'message.send', conversationId: id, clientId: 'a-3', text: 'Anything else?' });
    await v2.next((f) => f.type === 'message.new' && f.message.clientId === 'a-3');
    expect(mentionsNote(v.frames)).toBe(false);
    expect(mentionsNote(v2.frames)).toBe(false);

    // A visitor may not write notes, even on their own conversation.
    expect(await v2.request({ type: 'note.add', conversationId: id, clientId: 'n-x', text: 'hi' })).toMatchObject({ type: 'error', code: 'AUTH_FORBIDDEN' });
    // Agents read them back with the conversation.
    const detail = (await (await fetch(`${url}/api/conversations/${id}`, { headers: { authorization: `Bearer ${bob.token}` } })).json()) as { notes: Array<{ text: string }>; messages: Array<{ text: string }> };
    expect(detail.notes.map((n) => n.text)).toEqual(['NOTE-SECRET 1: VIP, refund ok', 'NOTE-SECRET 2: called back', 'NOTE-SECRET 3: while connected']);
    expect(detail.messages.some((m) => m.text.includes('NOTE-SECRET'))).toBe(false);
  });

  it('refuses empty, oversized and unknown-conversation notes with typed errors', async () => {
    const { server, url } = await start();
    const alice = await server.createAgent({ name: 'Alice' });
    const { client: a } = await connectAgent(url, alice.token);
    clients.push(a);
    expect(await a.request({ type: 'note.add', conversationId: 'c_nope', clientId: 'n', text: 'x' })).toMatchObject({ type: 'error', code: 'CONVERSATION_NOT_FOUND' });
    expect(await a.request({ type: 'note.add', conversationId: 'c_nope', clientId: 'n', text: '' })).toMatchObject({ type: 'error', code: 'PROTOCOL_BAD_FRAME' });
    expect(await a.request({ type: 'note.add', conversationId: 'c_nope', clientId: 'n', text: 'x'.repeat(DEFAULT_LIMITS.maxTextLength + 1) })).toMatchObject({ type: 'error', code: 'PROTOCOL_STRING_TOO_LONG' });
    expect(await a.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
  });
});

describe('note.add rate limit', () => {
  it('spends the message budget: a flood of notes is refused with RATE_LIMITED and nothing past it is stored', async () => {
    const server = createServer({ secret: 's'.repeat(40), logger: createJsonLogger({ level: 'silent' }), rates: { messages: { perSecond: 0.001, burst: 3 } } });
    servers.push(server);
    const { url } = await server.listen(0, '127.0.0.1');
    const alice = await server.createAgent({ name: 'Alice' });
    const { client: a } = await connectAgent(url, alice.token);
    const { client: v } = await connectVisitor(url);
    clients.push(a, v);
    const joined = await v.request({ type: 'conversation.start', clientId: 'start-1' });
    if (joined.type !== 'conversation.joined') throw new Error(JSON.stringify(joined));
    const replies = [];
    for (let i = 0; i < 5; i++) replies.push(await a.request({ type: 'note.add', conversationId: joined.conversation.id, clientId: `n-${i}`, text: `note ${i}` }));
    expect(replies.map((r) => (r.type === 'error' ? r.code : r.type))).toEqual(['note.new', 'note.new', 'note.new', 'RATE_LIMITED', 'RATE_LIMITED']);
    expect((await server.storage.listNotes(joined.conversation.id, 10)).map((n) => n.text)).toEqual(['note 0', 'note 1', 'note 2']);
  });
});

describe('GET /api/agents', () => {
  it('lists connected colleagues with availability and load, and nothing secret', async () => {
    const { server, url } = await start();
    const alice = await server.createAgent({ name: 'Alice', email: 'alice@shop.io', password: 'correct horse battery' });
    const bob = await server.createAgent({ name: 'Bob', email: 'bob@shop.io', password: 'correct horse battery' });
    await server.createAgent({ name: 'Carol (not connected)' });
    const { client: b } = await connectAgent(url, bob.token);
    clients.push(b);
    await b.request({ type: 'agent.availability', availability: 'away', capacity: 5 });
    const unauthenticated = await fetch(`${url}/api/agents`);
    expect(unauthenticated.status).toBe(401);
    const res = await fetch(`${url}/api/agents`, { headers: { authorization: `Bearer ${alice.token}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { agents: Array<Record<string, unknown>> };
    expect(body.agents).toEqual([{ id: bob.agent.id, name: 'Bob', availability: 'away', capacity: 5, activeCount: 0 }]);
    expect(JSON.stringify(body)).not.toMatch(/@shop\.io|scrypt|token/i);
  });
});
