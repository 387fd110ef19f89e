// Table of hostile inputs against a running server; a well-behaved client keeps chatting after every row.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type ServerFrame } from '@parley/protocol';
import { createJsonLogger } from './logger.js';
import { createServer, type ParleyServer } from './server.js';
import { createVisitorTokens } from './token.js';
import { connectClient, connectVisitor, type TestClient } from './test-client.js';

const secret = 'h'.repeat(40);
let server: ParleyServer;
let url: string;
let good: TestClient;
let goodConversation: string;
let goodCount = 0;
/** A second visitor's conversation: must look exactly like a missing one to the attacker. */
let foreignConversation: string;
let attackerToken: string;
let attackerConversation: string;

beforeAll(async () => {
  // Loose strikes so rows on the shared attacker connection do not trip 4008; that has its own test.
  server = createServer({ secret, logger: createJsonLogger({ level: 'silent' }), rates: { strikes: { perSecond: 100, burst: 1000 } } });
  ({ url } = await server.listen(0, '127.0.0.1'));
  const g = await connectVisitor(url);
  good = g.client;
  goodConversation = ((await good.request({ type: 'conversation.start', clientId: 'good' })) as { conversation: { id: string } }).conversation.id;
  const other = await connectVisitor(url);
  foreignConversation = ((await other.client.request({ type: 'conversation.start', clientId: 'x' })) as { conversation: { id: string } }).conversation.id;
  other.client.close();
  const attacker = await connectVisitor(url);
  attackerToken = (attacker.welcome as { token: string }).token;
  attackerConversation = ((await attacker.client.request({ type: 'conversation.start', clientId: 'a' })) as { conversation: { id: string } }).conversation.id;
  attacker.client.close();
});
afterAll(async () => {
  good.close();
  await server.close({ graceMs: 100 });
});

function nest(depth: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = { v };
  return v;
}

type Row = {
  name: string;
  /** Raw frame (string) or a function building it once ids exist. */
  frame: () => unknown;
  /** Say hello on the attacker connection first. */
  isAuthenticated: boolean;
  code: string;
  /** Close code expected after the error frame, if any. */
  closeCode?: number;
  /** The error frame should echo this ref. */
  ref?: string;
};

const hello = (extra: Record<string, unknown> = {}) => ({ type: 'hello', ref: 'h1', v: PROTOCOL_VERSION, role: 'visitor', ...extra });

const rows: Row[] = [
  { name: 'bad JSON', frame: () => '{"type": "ping", ', isAuthenticated: true, code: 'PROTOCOL_BAD_JSON' },
  { name: 'not an object', frame: () => '[1,2,3]', isAuthenticated: true, code: 'PROTOCOL_BAD_FRAME' },
  { name: 'type is a number', frame: () => ({ type: 7, ref: 'q1' }), isAuthenticated: true, code: 'PROTOCOL_BAD_FRAME', ref: 'q1' },
  { name: 'unknown type', frame: () => ({ type: 'admin.drop', ref: 'q2' }), isAuthenticated: true, code: 'PROTOCOL_UNKNOWN_TYPE', ref: 'q2' },
  { name: 'missing ref', frame: () => ({ type: 'ping' }), isAuthenticated: true, code: 'PROTOCOL_MISSING_REF' },
  {
    name: 'wrong field type',
    frame: () => ({ type: 'message.send', ref: 'q3', conversationId: attackerConversation, clientId: 'c', text: 42 }),
    isAuthenticated: true,
    code: 'PROTOCOL_BAD_FRAME',
    ref: 'q3',
  },
  {
    name: 'out-of-range seq',
    frame: () => ({ type: 'conversation.join', ref: 'q4', conversationId: attackerConversation, afterSeq: -1 }),
    isAuthenticated: true,
    code: 'PROTOCOL_BAD_FRAME',
    ref: 'q4',
  },
  { name: 'deep nesting', frame: () => ({ type: 'ping', ref: 'q5', extra: nest(50) }), isAuthenticated: true, code: 'PROTOCOL_TOO_DEEP' },
  {
    name: 'huge string',
    frame: () => ({ type: 'message.send', ref: 'q6', conversationId: attackerConversation, clientId: 'c', text: 'x'.repeat(4001) }),
    isAuthenticated: true,
    code: 'PROTOCOL_STRING_TOO_LONG',
    ref: 'q6',
  },
  {
    name: 'stale resume',
    frame: () => ({ type: 'conversation.join', ref: 'q7', conversationId: attackerConversation, afterSeq: 99 }),
    isAuthenticated: true,
    code: 'PROTOCOL_STALE_RESUME',
    ref: 'q7',
  },
  { name: 'frame before hello', frame: () => ({ type: 'ping', ref: 'q8' }), isAuthenticated: false, code: 'PROTOCOL_NOT_AUTHENTICATED', ref: 'q8' },
  {
    name: "another visitor's conversation",
    frame: () => ({ type: 'message.send', ref: 'q9', conversationId: foreignConversation, clientId: 'c', text: 'hi' }),
    isAuthenticated: true,
    code: 'CONVERSATION_NOT_FOUND',
    ref: 'q9',
  },
  {
    name: "joining another visitor's conversation",
    frame: () => ({ type: 'conversation.join', ref: 'q10', conversationId: foreignConversation, afterSeq: 0 }),
    isAuthenticated: true,
    code: 'CONVERSATION_NOT_FOUND',
    ref: 'q10',
  },
  {
    name: 'a conversation that does not exist',
    frame: () => ({ type: 'history.get', ref: 'q11', conversationId: 'c_nope' }),
    isAuthenticated: true,
    code: 'CONVERSATION_NOT_FOUND',
    ref: 'q11',
  },
  {
    name: 'forged token',
    frame: () => hello({ token: createVisitorTokens({ secret: 'f'.repeat(40) }).sign('v_forged').token }),
    isAuthenticated: false,
    code: 'AUTH_INVALID_TOKEN',
    closeCode: 4001,
    ref: 'h1',
  },
  {
    name: 'expired token',
    frame: () => hello({ token: createVisitorTokens({ secret, ttlMs: 60_000, now: () => Date.now() - 120_000 }).sign('v_x').token }),
    isAuthenticated: false,
    code: 'AUTH_EXPIRED_TOKEN',
    closeCode: 4001,
    ref: 'h1',
  },
  { name: 'bad protocol version', frame: () => hello({ v: 99 }), isAuthenticated: false, code: 'PROTOCOL_VERSION_UNSUPPORTED', closeCode: 4002 },
  { name: 'agent role on the visitor endpoint', frame: () => hello({ role: 'agent' }), isAuthenticated: false, code: 'AUTH_FORBIDDEN', ref: 'h1' },
  { name: 'unknown site key', frame: () => hello({ siteKey: 'nope' }), isAuthenticated: false, code: 'AUTH_FORBIDDEN', ref: 'h1' },
  { name: 'second hello', frame: () => hello({ ref: 'h2' }), isAuthenticated: true, code: 'PROTOCOL_BAD_FRAME', ref: 'h2' },
  {
    name: 'both afterSeq and beforeSeq',
    frame: () => ({ type: 'history.get', ref: 'q12', conversationId: attackerConversation, afterSeq: 0, beforeSeq: 1 }),
    isAuthenticated: true,
    code: 'PROTOCOL_BAD_FRAME',
    ref: 'q12',
  },
  {
    name: 'oversize frame (decoder)',
    frame: () => JSON.stringify({ type: 'ping', ref: 'q13', pad: 'x'.repeat(65_600) }),
    isAuthenticated: true,
    code: 'PROTOCOL_FRAME_TOO_LARGE',
    closeCode: 1009,
  },
  {
    name: 'oversize frame (ws maxPayload)',
    frame: () => JSON.stringify({ type: 'ping', ref: 'q14', pad: 'x'.repeat(200_000) }),
    isAuthenticated: true,
    code: '',
    closeCode: 1009,
  },
];

async function assertGoodClientStillChats(): Promise<void> {
  goodCount++;
  const ack = await good.request({ type: 'message.send', conversationId: goodConversation, clientId: `g${goodCount}`, text: `still here ${goodCount}` });
  expect(ack).toMatchObject({ type: 'message.ack', seq: goodCount });
}

describe('hostile input', () => {
  it.each(rows)('$name → $code', async (row) => {
    const attacker = await connectClient(url, '/ws/visitor');
    if (row.isAuthenticated) {
      const welcome = await attacker.request(hello({ token: attackerToken }));
      expect(welcome.type).toBe('welcome');
    }
    const frame = row.frame();
    attacker.send(frame);
    if (row.code !== '') {
      const error = (await attacker.next((f: ServerFrame) => f.type === 'error')) as Extract<ServerFrame, { type: 'error' }>;
      expect(error.code).toBe(row.code);
      if (row.ref !== undefined) expect(error.ref).toBe(row.ref);
      expect(JSON.stringify(error)).not.toMatch(/at .*\.ts|node_modules|SQLITE/);
    }
    if (row.closeCode !== undefined) {
      expect((await attacker.closed).code).toBe(row.closeCode);
    } else {
      // Still open: a valid frame is answered.
      expect(await attacker.request({ type: 'ping' })).toMatchObject({ type: row.isAuthenticated ? 'pong' : 'error' });
      attacker.close();
    }
    await assertGoodClientStillChats();
  });

  it('agents without a token, or with an unknown one, get AUTH_INVALID_TOKEN and 4001', async () => {
    for (const token of [undefined, 'pat_nope']) {
      const agent = await connectClient(url, '/ws/agent');
      agent.send({ type: 'hello', ref: 'h', v: PROTOCOL_VERSION, role: 'agent', ...(token === undefined ? {} : { token }) });
      expect(await agent.next()).toMatchObject({ type: 'error', code: 'AUTH_INVALID_TOKEN', ref: 'h' });
      expect((await agent.closed).code).toBe(4001);
    }
    await assertGoodClientStillChats();
  });
});
