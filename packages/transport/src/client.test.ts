import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import type { ConversationInfo, Message, MessageAckFrame, ParleyError, ServerFrame } from '@parley/protocol';
import { createClient, type ClientOptions, type DeliveredMessage, type ParleyClient } from './client.js';
import type { ConnectionState, OnlineSource } from './socket.js';
import { memoryStorage, type OutboxStorage } from './storage.js';
import { startScriptedServer, type ScriptedServer } from './test-support/scripted-server.js';
import { settleIo, until } from './test-support/wait.js';

let server: ScriptedServer;
const open: ParleyClient[] = [];

beforeEach(async () => {
  server = await startScriptedServer();
  // Only the timers the client uses are fake; real socket I/O keeps running and is awaited with until().
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});

afterEach(async () => {
  for (const c of open.splice(0)) c.close();
  vi.useRealTimers();
  await server.close();
});

interface Log {
  states: ConnectionState[];
  messages: DeliveredMessage[];
  errors: ParleyError[];
  acks: MessageAckFrame[];
  conversations: ConversationInfo[];
  tokens: string[];
  frames: ServerFrame[];
}

function makeClient(overrides: Partial<ClientOptions> = {}): { client: ParleyClient; log: Log } {
  const client = createClient({ url: server.url, role: 'visitor', WebSocket, random: () => 0.5, ...overrides });
  open.push(client);
  const log: Log = { states: [], messages: [], errors: [], acks: [], conversations: [], tokens: [], frames: [] };
  client.on('state', (s) => log.states.push(s));
  client.on('message', (m) => log.messages.push(m));
  client.on('error', (e) => log.errors.push(e));
  client.on('ack', (a) => log.acks.push(a));
  client.on('conversation', (c) => log.conversations.push(c));
  client.on('token', (t) => log.tokens.push(t));
  client.on('frame', (f) => log.frames.push(f));
  return { client, log };
}

function manualOnline(initial: boolean): OnlineSource & { set(value: boolean): void } {
  let isOnline = initial;
  const subscribers = new Set<(value: boolean) => void>();
  return {
    isOnline: () => isOnline,
    subscribe(cb) {
      subscribers.add(cb);
      return () => subscribers.delete(cb);
    },
    set(value) {
      isOnline = value;
      for (const cb of subscribers) cb(value);
    },
  };
}

/** Asserts the client waits exactly `ms` (fake time) before its next attempt. */
async function expectRetryAfter(client: ParleyClient, ms: number): Promise<void> {
  await until(() => client.state === 'waiting');
  await vi.advanceTimersByTimeAsync(ms - 1);
  expect(client.state).toBe('waiting');
  await vi.advanceTimersByTimeAsync(1);
  expect(client.state).toBe('connecting');
}

/** Seeds stored messages on the server without broadcasting them. */
function seed(conversationId: string, count: number): Message[] {
  const list = server.messages.get(conversationId) ?? [];
  server.messages.set(conversationId, list);
  for (let i = 0; i < count; i += 1) {
    const seq = list.length + 1;
    list.push({ conversationId, seq, clientId: `seed-${seq}`, author: { role: 'agent', id: 'agent-1' }, kind: 'text', text: `#${seq}`, at: seq });
  }
  const info = server.conversations.get(conversationId);
  if (info !== undefined) info.lastSeq = list.length;
  return list;
}

const seqsOf = (log: Log): number[] => log.messages.map((m) => m.seq);
const codes = (log: Log): string[] => log.errors.map((e) => e.code);

describe('createClient', () => {
  it('throws CONFIG_INVALID without any WebSocket implementation', () => {
    vi.stubGlobal('WebSocket', undefined);
    try {
      expect(() => createClient({ url: server.url, role: 'visitor' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('throws CONFIG_INVALID for a bad role or url, and PROTOCOL_STRING_TOO_LONG for an over-long id', () => {
    expect(() => createClient({ url: server.url, role: 'admin' as 'agent', WebSocket })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => createClient({ url: 42 as unknown as string, role: 'visitor', WebSocket })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    const { client } = makeClient();
    expect(() => client.join('x'.repeat(65))).toThrow(expect.objectContaining({ code: 'PROTOCOL_STRING_TOO_LONG' }));
    expect(() => client.send('c1', 'hi', { clientId: '' })).toThrow(expect.objectContaining({ code: 'PROTOCOL_STRING_TOO_LONG' }));
  });

  it('rejects an over-long message without sending or queueing it', async () => {
    const { client, log } = makeClient({ online: manualOnline(false) });
    await expect(client.send('c1', 'x'.repeat(4001)).acked).rejects.toMatchObject({ code: 'PROTOCOL_STRING_TOO_LONG' });
    expect(codes(log)).toEqual(['PROTOCOL_STRING_TOO_LONG']);
    expect(client.state).toBe('idle');
  });

  it('connects lazily and says hello with version, role, token, siteKey and resume points', async () => {
    const storage = memoryStorage();
    const { client } = makeClient({ getToken: () => 'tok-1', siteKey: 'site_1', storage });
    await settleIo();
    expect(client.state).toBe('idle');
    expect(server.connections).toHaveLength(0);

    const info = await client.startConversation({ clientId: 'start-1', profile: { name: 'Ada' } });
    expect(info.id).toBe('c1');
    expect(client.subjectId).toBe('visitor-1');
    expect(server.received('hello')[0]).toEqual({ type: 'hello', ref: expect.any(String), v: 1, role: 'visitor', token: 'tok-1', siteKey: 'site_1' });
    expect(server.received('conversation.start')[0]).toMatchObject({ clientId: 'start-1', profile: { name: 'Ada' } });
    client.close();

    // A second client on the same storage resumes the conversation from its last seq.
    const second = makeClient({ getToken: () => 'tok-1', storage });
    second.client.connect();
    await until(() => server.received('hello').length === 2);
    expect(server.received('hello')[1]!.resume).toEqual([{ conversationId: 'c1', afterSeq: 0 }]);
  });

  it('sends, gets the ack, and delivers the broadcast once with isMine', async () => {
    const { client, log } = makeClient();
    const conversation = await client.startConversation();
    const { clientId, acked } = client.send(conversation.id, 'hello');
    const ack = await acked;
    expect(ack).toMatchObject({ clientId, seq: 1 });
    await until(() => log.messages.length === 1);
    expect(log.messages[0]).toMatchObject({ seq: 1, clientId, text: 'hello', isMine: true });
    expect(log.acks).toHaveLength(1);

    server.post(conversation.id, 'agent here');
    // Same subject on another tab or device: a clientId we never made, but our subjectId.
    server.post(conversation.id, 'from my phone', 'visitor-1');
    await until(() => log.messages.length === 3);
    expect(log.messages.map((m) => [m.seq, m.isMine])).toEqual([
      [1, true],
      [2, false],
      [3, true],
    ]);
  });

  it('reports a throwing listener through error and keeps delivering', async () => {
    const { client, log } = makeClient();
    client.on('message', () => {
      throw new Error('consumer bug');
    });
    const { id } = await client.startConversation();
    server.post(id, 'one');
    server.post(id, 'two');
    await until(() => log.messages.length === 2);
    expect(codes(log)).toEqual(['TRANSPORT_LISTENER_FAILED', 'TRANSPORT_LISTENER_FAILED']);
    expect((log.errors[0]!.cause as Error).message).toBe('consumer bug');
  });

  it('reports an undecodable frame and keeps the connection', async () => {
    const { client, log } = makeClient();
    await client.join('c1');
    server.connections[0]!.sendRaw('{nope');
    await until(() => log.errors.length === 1);
    expect(codes(log)).toEqual(['PROTOCOL_BAD_JSON']);
    expect(client.state).toBe('open');
  });
});

describe('reconnect', () => {
  it('backs off 250, 500, 1000 … capped at 15 000 with random = 0.5, calling getToken and url before each attempt', async () => {
    server.script = (conn, frame) => {
      if (frame.type === 'hello') {
        conn.close(1011);
        return true;
      }
      return false;
    };
    const getToken = vi.fn(() => 'tok');
    const url = vi.fn(() => server.url);
    const { client } = makeClient({ getToken, url });
    client.join('c1').catch(() => {});
    for (const ms of [250, 500, 1000, 2000, 4000, 8000, 15_000, 15_000]) await expectRetryAfter(client, ms);
    expect(getToken).toHaveBeenCalledTimes(9);
    expect(url).toHaveBeenCalledTimes(9);
  });

  it('resets the attempt counter only after stableAfterMs open', async () => {
    let closeNextHello = true;
    server.script = (conn, frame) => {
      if (frame.type === 'hello' && closeNextHello) {
        closeNextHello = false;
        conn.close(1011);
        return true;
      }
      return false;
    };
    const { client } = makeClient();
    client.join('c1').catch(() => {});
    await expectRetryAfter(client, 250);
    await until(() => client.state === 'open');
    await vi.advanceTimersByTimeAsync(9_999);
    server.connections.at(-1)!.close(1011);
    // Open for 9 999 ms: not stable, so this is attempt 1.
    await expectRetryAfter(client, 500);
    await until(() => client.state === 'open');
    await vi.advanceTimersByTimeAsync(10_000);
    server.connections.at(-1)!.close(1011);
    await expectRetryAfter(client, 250);
  });

  it('reconnects at attempt 0 after 1001 going away, however many attempts failed before', async () => {
    let failures = 2;
    server.script = (conn, frame) => {
      if (frame.type === 'hello' && failures > 0) {
        failures -= 1;
        conn.close(1011);
        return true;
      }
      return false;
    };
    const { client } = makeClient();
    client.join('c1').catch(() => {});
    await expectRetryAfter(client, 250);
    await expectRetryAfter(client, 500);
    await until(() => client.state === 'open');
    server.connections.at(-1)!.close(1001, 'deploy');
    await expectRetryAfter(client, 250);
  });

  it('points at a new URL when url is a function', async () => {
    const { client } = makeClient({ url: () => server.url });
    await client.join('c1');
    const old = server;
    server = await startScriptedServer();
    old.connections[0]!.close(1001);
    await expectRetryAfter(client, 250);
    await until(() => client.state === 'open');
    expect(server.received('hello')[0]!.resume).toEqual([{ conversationId: 'c1', afterSeq: 0 }]);
    await old.close();
  });

  it('pauses while offline and resumes on the online event', async () => {
    const online = manualOnline(true);
    const { client, log } = makeClient({ online });
    await client.join('c1');
    server.connections[0]!.close(1011);
    await until(() => client.state === 'waiting');
    online.set(false);
    expect(client.state).toBe('offline');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.connections).toHaveLength(1);
    online.set(true);
    expect(client.state).toBe('connecting');
    await until(() => client.state === 'open');
    expect(log.states).toEqual(['connecting', 'handshaking', 'open', 'waiting', 'offline', 'connecting', 'handshaking', 'open']);
  });

  it('drops an open connection when the device goes offline, and resends what was not acked once online', async () => {
    // A socket that still looks open while the network is gone swallows frames (Chromium's does): the message
    // written to it is never acked, and must go out again, once, on the next connection.
    let dropSends = true;
    server.script = (_conn, frame) => frame.type === 'message.send' && dropSends;
    const online = manualOnline(true);
    const { client, log } = makeClient({ online });
    await client.join('c1');
    const { acked, clientId } = client.send('c1', 'sent as the network dropped');
    await until(() => server.received('message.send').length === 1);
    online.set(false);
    expect(client.state).toBe('offline');
    await until(() => server.connections[0]!.socket.readyState === WebSocket.CLOSED);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.connections).toHaveLength(1);

    dropSends = false;
    online.set(true);
    await expect(acked).resolves.toMatchObject({ clientId, seq: 1 });
    await until(() => log.messages.length === 1);
    expect(server.connections).toHaveLength(2);
    expect(log.states).toEqual(['connecting', 'handshaking', 'open', 'offline', 'connecting', 'handshaking', 'open']);
  });

  it('fails the handshake at exactly requestTimeoutMs with TRANSPORT_TIMEOUT', async () => {
    server.script = (_conn, frame) => frame.type === 'hello';
    const { client, log } = makeClient({ requestTimeoutMs: 5000 });
    client.join('c1').catch(() => {});
    await until(() => server.received('hello').length === 1);
    await vi.advanceTimersByTimeAsync(4999);
    expect(client.state).toBe('handshaking');
    await vi.advanceTimersByTimeAsync(1);
    expect(client.state).toBe('waiting');
    expect(codes(log)).toContain('TRANSPORT_TIMEOUT');
  });
});

describe('heartbeat', () => {
  it('pings every heartbeatMs and closes a silent socket at exactly 2 intervals', async () => {
    server.heartbeatMs = 1000;
    server.script = (_conn, frame) => frame.type === 'ping';
    const { client, log } = makeClient();
    await client.join('c1');
    await vi.advanceTimersByTimeAsync(1000);
    await until(() => server.received('ping').length === 1);
    await vi.advanceTimersByTimeAsync(999);
    expect(client.state).toBe('open');
    expect(log.errors).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(client.state).toBe('waiting');
    expect(log.errors[0]).toMatchObject({ code: 'TRANSPORT_TIMEOUT', details: { heartbeat: true } });
    const closed = await new Promise<number>((resolve) => server.connections[0]!.socket.once('close', (code) => resolve(code)));
    expect(closed).toBe(4009);
  });

  it('stays open while pongs arrive', async () => {
    server.heartbeatMs = 1000;
    const { client, log } = makeClient();
    await client.join('c1');
    for (let i = 1; i <= 10; i += 1) {
      await vi.advanceTimersByTimeAsync(1000);
      await until(() => log.frames.filter((f) => f.type === 'pong').length === i);
    }
    expect(client.state).toBe('open');
    expect(server.connections).toHaveLength(1);
  });

  it('uses the heartbeatMs option over the server value', async () => {
    server.heartbeatMs = 60_000;
    server.script = (_conn, frame) => frame.type === 'ping';
    const { client } = makeClient({ heartbeatMs: 500 });
    await client.join('c1');
    await vi.advanceTimersByTimeAsync(999);
    expect(client.state).toBe('open');
    await vi.advanceTimersByTimeAsync(1);
    expect(client.state).toBe('waiting');
  });
});

describe('requests', () => {
  it('times out at exactly requestTimeoutMs with TRANSPORT_TIMEOUT', async () => {
    server.script = (_conn, frame) => frame.type === 'conversation.escalate';
    const { client } = makeClient({ requestTimeoutMs: 3000 });
    await client.join('c1');
    let outcome: unknown;
    client.request({ type: 'conversation.escalate', conversationId: 'c1', reason: 'requested', transcript: [] }).catch((e: unknown) => (outcome = e));
    await until(() => server.received('conversation.escalate').length === 1);
    await vi.advanceTimersByTimeAsync(2999);
    expect(outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome).toMatchObject({ code: 'TRANSPORT_TIMEOUT', retryable: true });
  });

  it('resolves with the typed reply and updates the conversation', async () => {
    server.script = (conn, frame) => {
      if (frame.type === 'conversation.escalate') {
        conn.send({ type: 'conversation.escalated', ref: frame.ref, conversationId: frame.conversationId, reason: frame.reason, status: 'queued' });
        return true;
      }
      return false;
    };
    const { client, log } = makeClient();
    await client.join('c1');
    const reply = await client.request({ type: 'conversation.escalate', conversationId: 'c1', reason: 'requested', transcript: [] });
    expect(reply.status).toBe('queued');
    expect(log.conversations.at(-1)).toMatchObject({ id: 'c1', status: 'queued', escalationReason: 'requested' });
  });

  it('rejects with the server code from an error frame; unknown codes become SERVER_INTERNAL', async () => {
    server.script = (conn, frame) => {
      if (frame.type === 'conversation.close') {
        conn.send({ type: 'error', ref: frame.ref, code: frame.reason === 'odd' ? 'NOT_A_CODE' : 'CONVERSATION_NOT_FOUND', message: 'no' });
        return true;
      }
      return false;
    };
    const { client } = makeClient();
    await client.join('c1');
    await expect(client.request({ type: 'conversation.close', conversationId: 'c1' })).rejects.toMatchObject({ code: 'CONVERSATION_NOT_FOUND' });
    await expect(client.request({ type: 'conversation.close', conversationId: 'c1', reason: 'odd' })).rejects.toMatchObject({
      code: 'SERVER_INTERNAL',
      details: { serverCode: 'NOT_A_CODE' },
    });
  });

  it('rejects pending requests with retryable TRANSPORT_CLOSED on disconnect, while outbox messages wait for the reconnect', async () => {
    let dropSends = true;
    server.script = (_conn, frame) => frame.type === 'conversation.escalate' || (frame.type === 'message.send' && dropSends);
    const { client, log } = makeClient();
    await client.join('c1');
    const pending = client.request({ type: 'conversation.escalate', conversationId: 'c1', reason: 'requested', transcript: [] });
    const { acked, clientId } = client.send('c1', 'keep me');
    await until(() => server.received('message.send').length === 1);
    server.connections[0]!.close(1011);
    await expect(pending).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED', retryable: true });
    dropSends = false;
    await expectRetryAfter(client, 250);
    await expect(acked).resolves.toMatchObject({ clientId, seq: 1 });
    await until(() => log.messages.length === 1);
    expect(seqsOf(log)).toEqual([1]);
    expect(server.received('message.send')).toHaveLength(2);
  });

  it('rejects with TRANSPORT_NOT_CONNECTED while offline, and queues messages until online', async () => {
    const online = manualOnline(false);
    const { client, log } = makeClient({ online });
    const { acked } = client.send('c1', 'typed offline');
    expect(client.state).toBe('offline');
    await expect(client.request({ type: 'conversation.close', conversationId: 'c1' })).rejects.toMatchObject({ code: 'TRANSPORT_NOT_CONNECTED', retryable: true });
    await expect(client.join('c1')).rejects.toMatchObject({ code: 'TRANSPORT_NOT_CONNECTED' });
    await expect(client.startConversation()).rejects.toMatchObject({ code: 'TRANSPORT_NOT_CONNECTED' });
    client.read('c1', 1);
    client.typing('c1', true);
    await settleIo();
    expect(server.connections).toHaveLength(0);

    online.set(true);
    await expect(acked).resolves.toMatchObject({ seq: 1 });
    await until(() => log.messages.length === 1 && server.received('read').length === 1);
    expect(log.messages[0]).toMatchObject({ text: 'typed offline', isMine: true });
    expect(server.received('read')[0]).toMatchObject({ conversationId: 'c1', upToSeq: 1 });
    // Typing is dropped while disconnected: a stale indicator is worse than none.
    expect(server.received('typing')).toEqual([]);
  });

  it('rejects with TRANSPORT_CLOSED after close()', async () => {
    server.script = (_conn, frame) => frame.type === 'conversation.close';
    const { client, log } = makeClient();
    await client.join('c1');
    const pending = client.request({ type: 'conversation.close', conversationId: 'c1' });
    await until(() => server.received('conversation.close').length === 1);
    client.close();
    await expect(pending).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED', retryable: false });
    await expect(client.request({ type: 'conversation.close', conversationId: 'c1' })).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
    await expect(client.send('c1', 'late').acked).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
    expect(client.state).toBe('closed');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.connections).toHaveLength(1);
    expect(log.states.at(-1)).toBe('closed');
  });
});

describe('outbox', () => {
  it('survives a reload: a new client on the same storage sends the unacked message once', async () => {
    const storage = memoryStorage();
    server.script = (_conn, frame) => frame.type === 'message.send' && server.connections.length === 1;
    const a = makeClient({ storage });
    const { id } = await a.client.startConversation();
    const { clientId, acked } = a.client.send(id, 'before reload');
    await until(() => server.received('message.send').length === 1);
    a.client.close();
    await expect(acked).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
    expect(JSON.parse(storage.get('outbox')!)).toEqual([{ conversationId: id, clientId, text: 'before reload' }]);

    const b = makeClient({ storage });
    b.client.connect();
    await until(() => b.log.acks.length === 1 && b.log.messages.length === 1);
    expect(b.log.messages[0]).toMatchObject({ clientId, isMine: true, seq: 1 });
    expect(storage.get('outbox')).toBe('[]');
    expect(JSON.parse(storage.get('seqs')!)).toEqual([[id, 1]]);

    // Another reconnect must not send it again.
    server.connections.at(-1)!.close(1011);
    await expectRetryAfter(b.client, 250);
    await until(() => b.client.state === 'open');
    await settleIo();
    expect(server.received('message.send')).toHaveLength(2);
    expect(server.messages.get(id)).toHaveLength(1);
  });

  it('resends every entry in order after the join, never twice on one connection', async () => {
    const online = manualOnline(false);
    const { client } = makeClient({ online });
    const sent = ['one', 'two', 'three'].map((text) => client.send('c1', text));
    online.set(true);
    await Promise.all(sent.map((s) => s.acked));
    const frames = server.received('message.send');
    expect(frames.map((f) => f.text)).toEqual(['one', 'two', 'three']);
    const conn = server.connections[0]!.frames.map((f) => f.type);
    expect(conn.indexOf('message.send')).toBeGreaterThan(conn.indexOf('hello'));
  });

  it('returns the same ack for a resend of the same clientId', async () => {
    const { client } = makeClient();
    await client.join('c1');
    const first = client.send('c1', 'hi', { clientId: 'fixed' });
    const again = client.send('c1', 'hi', { clientId: 'fixed' });
    const [a, b] = await Promise.all([first.acked, again.acked]);
    expect(a).toEqual(b);
    expect(server.received('message.send')).toHaveLength(1);
  });

  it('refuses past maxOutbox with TRANSPORT_OUTBOX_FULL', async () => {
    const { client, log } = makeClient({ online: manualOnline(false), maxOutbox: 2 });
    client.send('c1', 'a');
    client.send('c1', 'b');
    await expect(client.send('c1', 'c').acked).rejects.toMatchObject({ code: 'TRANSPORT_OUTBOX_FULL', retryable: true });
    expect(codes(log)).toEqual(['TRANSPORT_OUTBOX_FULL']);
  });

  it('drops an entry the server refuses for good, keeps one it refuses for now', async () => {
    let refusal: { code: string; retryable: boolean } = { code: 'CONVERSATION_CLOSED', retryable: false };
    server.script = (conn, frame) => {
      if (frame.type === 'message.send' && frame.text !== 'ok') {
        conn.send({ type: 'error', ref: frame.ref, message: 'no', conversationId: frame.conversationId, ...refusal });
        return true;
      }
      return false;
    };
    const storage = memoryStorage();
    const { client, log } = makeClient({ storage });
    await client.join('c1');
    await expect(client.send('c1', 'closed').acked).rejects.toMatchObject({ code: 'CONVERSATION_CLOSED' });
    expect(storage.get('outbox')).toBe('[]');
    refusal = { code: 'RATE_LIMITED', retryable: true };
    const later = client.send('c1', 'later');
    await until(() => log.errors.length === 2);
    expect(codes(log)).toEqual(['CONVERSATION_CLOSED', 'RATE_LIMITED']);
    expect(JSON.parse(storage.get('outbox')!)).toHaveLength(1);
    // Sent again after the backoff delay for retry 0 (250 ms with random = 0.5), not before.
    refusal = { code: 'RATE_LIMITED', retryable: true };
    await vi.advanceTimersByTimeAsync(249);
    await settleIo();
    expect(server.received('message.send').filter((f) => f.clientId === later.clientId)).toHaveLength(1);
    server.script = undefined;
    await vi.advanceTimersByTimeAsync(1);
    await expect(later.acked).resolves.toMatchObject({ seq: 1 });
    expect(storage.get('outbox')).toBe('[]');
  });

  it('keeps working in memory with STORAGE_UNAVAILABLE when storage throws', async () => {
    const broken: OutboxStorage = {
      get: () => null,
      set: () => {
        throw new Error('QuotaExceededError');
      },
    };
    const { client, log } = makeClient({ storage: broken });
    await client.join('c1');
    await client.send('c1', 'still works').acked;
    expect(codes(log)).toEqual(['STORAGE_UNAVAILABLE']);
  });
});

describe('delivery', () => {
  it('drops duplicates by seq and by clientId, fills gaps with history.get paging, and delivers in order', async () => {
    const list = seed('c1', 2);
    const { client, log } = makeClient();
    await client.join('c1');
    await until(() => log.messages.length === 2);
    seed('c1', 6); // 3..8 stored, not broadcast
    const conn = server.connections[0]!;
    conn.send({ type: 'message.new', message: list[2]! });
    conn.send({ type: 'message.new', message: list[2]! });
    conn.send({ type: 'message.new', message: list[0]! });
    conn.send({ type: 'message.new', message: list[7]! }); // seq 8: gap 4..7
    await until(() => log.messages.length === 8 && server.received('history.get').length === 3);
    expect(server.received('history.get').map((f) => f.afterSeq)).toEqual([3, 5, 8]);
    // Same clientId under a new seq (a replayed history): skipped, and the count moves on.
    list.push({ ...list[7]!, seq: 9 });
    conn.send({ type: 'message.new', message: list[8]! });
    server.post('c1', 'ten');
    await until(() => log.messages.length === 9);
    expect(seqsOf(log)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 10]);
  });

  it('resumes from lastSeq after a reconnect without redelivering', async () => {
    seed('c1', 2);
    const { client, log } = makeClient();
    await client.join('c1');
    await until(() => log.messages.length === 2);
    server.connections[0]!.close(1011);
    await until(() => client.state === 'waiting');
    seed('c1', 1);
    await vi.advanceTimersByTimeAsync(250);
    await until(() => log.messages.length === 3);
    expect(server.received('hello')[1]!.resume).toEqual([{ conversationId: 'c1', afterSeq: 2 }]);
    expect(seqsOf(log)).toEqual([1, 2, 3]);
  });

  it('on PROTOCOL_STALE_RESUME reports it and rejoins from 0', async () => {
    const storage = memoryStorage();
    storage.set('seqs', JSON.stringify([['c1', 5]]));
    seed('c1', 2);
    const { client, log } = makeClient({ storage });
    const info = await client.join('c1');
    expect(info.lastSeq).toBe(2);
    await until(() => log.messages.length === 2);
    expect(codes(log)).toEqual(['PROTOCOL_STALE_RESUME']);
    expect(server.received('conversation.join').map((f) => f.afterSeq)).toEqual([0]);
    expect(JSON.parse(storage.get('seqs')!)).toEqual([['c1', 2]]);
  });

  it('forgets a conversation the server does not know', async () => {
    server.script = (conn, frame) => {
      if (frame.type === 'conversation.join') {
        conn.send({ type: 'error', ref: frame.ref, code: 'CONVERSATION_NOT_FOUND', message: 'no', conversationId: frame.conversationId });
        return true;
      }
      return false;
    };
    const storage = memoryStorage();
    const { client } = makeClient({ storage });
    await client.join('c0');
    await expect(client.join('nope')).rejects.toMatchObject({ code: 'CONVERSATION_NOT_FOUND' });
    expect(JSON.parse(storage.get('seqs')!)).toEqual([['c0', 0]]);
  });
});

describe('auth and version', () => {
  it('stores an issued token and uses it next time', async () => {
    server.issueToken = 'issued-1';
    const { client, log } = makeClient();
    expect(client.token).toBeUndefined();
    await client.join('c1');
    expect(log.tokens).toEqual(['issued-1']);
    // What HTTP routes (uploads) authenticate with: the session's token.
    expect(client.token).toBe('issued-1');
    server.connections[0]!.close(1011);
    await expectRetryAfter(client, 250);
    await until(() => server.received('hello').length === 2);
    expect(server.received('hello')[1]!.token).toBe('issued-1');
  });

  it('on 4001 reports the error and asks getToken again; the same token again stops', async () => {
    server.script = (conn, frame) => {
      if (frame.type === 'hello' && frame.token !== 'good') {
        conn.send({ type: 'error', ref: frame.ref, code: 'AUTH_EXPIRED_TOKEN', message: 'expired' });
        conn.close(4001);
        return true;
      }
      return false;
    };
    const getToken = vi.fn<() => Promise<string>>().mockResolvedValueOnce('old').mockResolvedValue('good');
    const { client, log } = makeClient({ getToken });
    client.join('c1').catch(() => {});
    await expectRetryAfter(client, 250);
    await until(() => client.state === 'open');
    expect(codes(log)).toEqual(['AUTH_EXPIRED_TOKEN']);
    expect(getToken).toHaveBeenCalledTimes(2);

    const stuck = makeClient({ getToken: () => 'old' });
    stuck.client.join('c1').catch(() => {});
    await until(() => stuck.client.state === 'waiting');
    await vi.advanceTimersByTimeAsync(250);
    // getToken ran, returned the refused token: no connection is even opened.
    expect(stuck.client.state).toBe('closed');
    expect(stuck.log.states.slice(-3)).toEqual(['waiting', 'connecting', 'closed']);
    expect(codes(stuck.log)).toEqual(['AUTH_EXPIRED_TOKEN', 'AUTH_INVALID_TOKEN']);
    expect(server.received('hello').filter((h) => h.token === 'old')).toHaveLength(2);
  });

  it('on 4002 reports PROTOCOL_VERSION_UNSUPPORTED and stops for good', async () => {
    server.script = (conn, frame) => {
      if (frame.type === 'hello') {
        conn.close(4002);
        return true;
      }
      return false;
    };
    const { client, log } = makeClient();
    await expect(client.join('c1')).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
    await until(() => client.state === 'closed');
    expect(codes(log)).toEqual(['PROTOCOL_VERSION_UNSUPPORTED']);
    await expect(client.request({ type: 'conversation.close', conversationId: 'c1' })).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.connections).toHaveLength(1);
  });
});

describe('events', () => {
  it('routes pushes to typed events and rotated tokens to the next hello', async () => {
    const { client, log } = makeClient();
    const seen: string[] = [];
    for (const event of ['typing', 'read', 'presence', 'queue', 'agent', 'rating'] as const) {
      client.on(event, (payload) => seen.push(`${event}:${payload.type}`));
    }
    await client.join('c1');
    const conn = server.connections[0]!;
    const agent = { id: 'agent-1', name: 'Grace' };
    conn.send({ type: 'typing.update', conversationId: 'c1', author: { role: 'agent', id: 'agent-1' }, isTyping: true });
    conn.send({ type: 'read.update', conversationId: 'c1', role: 'agent', upToSeq: 0 });
    conn.send({ type: 'presence.update', conversationId: 'c1', role: 'agent', isOnline: true });
    conn.send({ type: 'queue.update', conversationId: 'c1', position: 1, etaSeconds: 30 });
    conn.send({ type: 'agent.joined', conversationId: 'c1', agent });
    conn.send({ type: 'conversation.assigned', conversationId: 'c1', agent });
    conn.send({ type: 'agent.left', conversationId: 'c1', agent });
    conn.send({ type: 'conversation.closed', conversationId: 'c1', by: 'agent' });
    conn.send({ type: 'rating.created', conversationId: 'c1', score: 5 });
    conn.send({ type: 'token.rotated', token: 'rotated-1', expiresAt: 1 });
    await until(() => log.tokens.length === 1);
    expect(client.token).toBe('rotated-1');
    expect(seen).toEqual([
      'typing:typing.update',
      'read:read.update',
      'presence:presence.update',
      'queue:queue.update',
      'agent:agent.joined',
      'agent:agent.left',
      'rating:rating.created',
    ]);
    expect(log.conversations.map((c) => [c.status, c.agent?.name])).toEqual([
      ['bot', undefined],
      ['assigned', 'Grace'],
      ['closed', 'Grace'],
    ]);
    conn.close(1011);
    await expectRetryAfter(client, 250);
    await until(() => server.received('hello').length === 2);
    expect(server.received('hello')[1]!.token).toBe('rotated-1');
  });
});

describe('joins', () => {
  it('resumes at most maxResume conversations in hello and joins the rest one by one', async () => {
    const storage = memoryStorage();
    storage.set('seqs', JSON.stringify(Array.from({ length: 22 }, (_, i) => [`c${i}`, 0])));
    const { client } = makeClient({ storage });
    client.connect();
    await until(() => server.received('conversation.join').length === 2);
    expect(server.received('hello')[0]!.resume).toHaveLength(20);
    expect(server.received('conversation.join').map((f) => f.conversationId)).toEqual(['c0', 'c1']);
  });

  it('joins a conversation added while the handshake was in flight', async () => {
    let hello: Extract<Parameters<NonNullable<typeof server.script>>[1], { type: 'hello' }> | undefined;
    server.script = (_conn, frame) => {
      if (frame.type === 'hello') {
        hello = frame;
        return true;
      }
      return false;
    };
    const { client } = makeClient();
    const first = client.join('c1');
    await until(() => hello !== undefined);
    expect(client.state).toBe('handshaking');
    const second = client.join('c2');
    server.connections[0]!.send({ type: 'welcome', ref: hello!.ref, v: 1, role: 'visitor', subjectId: 'visitor-1', heartbeatMs: 25_000 });
    server.connections[0]!.send({ type: 'conversation.joined', conversation: { id: 'c1', status: 'bot', lastSeq: 0, createdAt: 1, visitorId: 'visitor-1' } });
    await expect(first).resolves.toMatchObject({ id: 'c1' });
    await expect(second).resolves.toMatchObject({ id: 'c2' });
    expect(hello!.resume).toEqual([{ conversationId: 'c1', afterSeq: 0 }]);
    expect(server.received('conversation.join').map((f) => f.conversationId)).toEqual(['c2']);
  });

  it('rejects a join the server never confirms at exactly requestTimeoutMs, keeping the connection', async () => {
    server.script = (_conn, frame) => frame.type === 'conversation.join';
    const { client, log } = makeClient({ requestTimeoutMs: 4000 });
    await client.startConversation();
    let outcome: unknown;
    client.join('c9').catch((e: unknown) => (outcome = e));
    await until(() => server.received('conversation.join').length === 1);
    await vi.advanceTimersByTimeAsync(3999);
    expect(outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome).toMatchObject({ code: 'TRANSPORT_TIMEOUT', details: { conversationId: 'c9' } });
    expect(client.state).toBe('open');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(log.errors).toEqual([]);
  });

  it('reports a failing getToken and retries with backoff', async () => {
    const getToken = vi.fn<() => Promise<string>>().mockRejectedValueOnce(new Error('auth service down')).mockResolvedValue('tok');
    const { client, log } = makeClient({ getToken });
    client.join('c1').catch(() => {});
    await expectRetryAfter(client, 250);
    await until(() => client.state === 'open');
    expect(log.errors[0]).toMatchObject({ code: 'AUTH_INVALID_TOKEN', retryable: true });
    expect(server.received('hello')[0]!.token).toBe('tok');
  });
});
