import { describe, expect, it } from 'vitest';
import { decodeClientFrame, decodeServerFrame, decodeServerFrameWith, encodeFrame } from './codec.js';
import { SERVER_FIELDS, VISITOR_SERVER_FIELDS } from './frame-schemas.js';
import { DEFAULT_LIMITS } from './limits.js';
import { PROTOCOL_VERSION, type ClientFrame } from './frames.js';

const nest = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};

describe('decodeClientFrame', () => {
  const rows: Array<[name: string, raw: string | Uint8Array, code: string, ref?: string]> = [
    ['bad JSON', '{"type":"ping",', 'PROTOCOL_BAD_JSON'],
    ['empty input', '', 'PROTOCOL_BAD_JSON'],
    ['JSON array', '[1,2]', 'PROTOCOL_BAD_FRAME'],
    ['JSON null', 'null', 'PROTOCOL_BAD_FRAME'],
    ['JSON string', '"ping"', 'PROTOCOL_BAD_FRAME'],
    ['type missing', '{"ref":"r1"}', 'PROTOCOL_BAD_FRAME', 'r1'],
    ['type not a string', '{"type":5,"ref":"r1"}', 'PROTOCOL_BAD_FRAME', 'r1'],
    ['unknown type', '{"type":"message.explode","ref":"r1"}', 'PROTOCOL_UNKNOWN_TYPE', 'r1'],
    ['prototype key as type', '{"type":"__proto__","ref":"r1"}', 'PROTOCOL_UNKNOWN_TYPE', 'r1'],
    ['server frame sent by client', '{"type":"welcome","ref":"r1"}', 'PROTOCOL_UNKNOWN_TYPE', 'r1'],
    ['missing ref', '{"type":"ping"}', 'PROTOCOL_MISSING_REF'],
    ['ref wrong type', '{"type":"ping","ref":7}', 'PROTOCOL_BAD_FRAME'],
    ['ref empty', '{"type":"ping","ref":""}', 'PROTOCOL_BAD_FRAME'],
    ['ref too long', JSON.stringify({ type: 'ping', ref: 'r'.repeat(65) }), 'PROTOCOL_STRING_TOO_LONG'],
    [
      'text wrong type',
      '{"type":"message.send","ref":"r1","conversationId":"c","clientId":"m","text":42}',
      'PROTOCOL_BAD_FRAME',
      'r1',
    ],
    ['field missing', '{"type":"message.send","ref":"r1","conversationId":"c","clientId":"m"}', 'PROTOCOL_BAD_FRAME', 'r1'],
    [
      'huge string',
      JSON.stringify({ type: 'message.send', ref: 'r1', conversationId: 'c', clientId: 'm', text: 'x'.repeat(4001) }),
      'PROTOCOL_STRING_TOO_LONG',
      'r1',
    ],
    [
      'oversize frame',
      JSON.stringify({ type: 'message.send', ref: 'r1', conversationId: 'c', clientId: 'm', text: 'x'.repeat(70_000) }),
      'PROTOCOL_FRAME_TOO_LARGE',
    ],
    [
      'oversize in multibyte characters',
      JSON.stringify({ type: 'ping', ref: 'r1', pad: '€'.repeat(22_000) }),
      'PROTOCOL_FRAME_TOO_LARGE',
    ],
    ['deep nesting', JSON.stringify({ type: 'ping', ref: 'r1', x: nest(50) }), 'PROTOCOL_TOO_DEEP', 'r1'],
    ['very deep nesting', '{"type":"ping","ref":"r1","x":' + '['.repeat(20_000) + ']'.repeat(20_000) + '}', 'PROTOCOL_TOO_DEEP', 'r1'],
    [
      'NUL character in text',
      JSON.stringify({ type: 'message.send', ref: 'r1', conversationId: 'c', clientId: 'm', text: 'a\u0000b' }),
      'PROTOCOL_BAD_FRAME',
      'r1',
    ],
    ['negative seq', '{"type":"conversation.join","ref":"r1","conversationId":"c","afterSeq":-1}', 'PROTOCOL_BAD_FRAME', 'r1'],
    ['fractional seq', '{"type":"conversation.join","ref":"r1","conversationId":"c","afterSeq":1.5}', 'PROTOCOL_BAD_FRAME', 'r1'],
    ['enum out of set', '{"type":"hello","ref":"r1","v":1,"role":"root"}', 'PROTOCOL_BAD_FRAME', 'r1'],
    ['rating above every scale', '{"type":"rating.submit","ref":"r1","conversationId":"c","score":11}', 'PROTOCOL_BAD_FRAME', 'r1'],
    ['rating below every scale', '{"type":"rating.submit","ref":"r1","conversationId":"c","score":-1}', 'PROTOCOL_BAD_FRAME', 'r1'],
    ['rating on an unknown scale', '{"type":"rating.submit","ref":"r1","conversationId":"c","score":5,"scale":"NPS"}', 'PROTOCOL_BAD_FRAME', 'r1'],
    ['rating not an integer', '{"type":"rating.submit","ref":"r1","conversationId":"c","score":7.5}', 'PROTOCOL_BAD_FRAME', 'r1'],
    [
      'too many transcript items',
      JSON.stringify({
        type: 'conversation.escalate',
        ref: 'r1',
        conversationId: 'c',
        reason: 'requested',
        transcript: Array.from({ length: 51 }, () => ({ kind: 'question', text: 'q', at: 1 })),
      }),
      'PROTOCOL_BAD_FRAME',
      'r1',
    ],
    [
      'too many quick replies',
      JSON.stringify({ type: 'message.send', ref: 'r1', conversationId: 'c', clientId: 'm', text: 't', quickReplies: ['a', 'b', 'c', 'd', 'e', 'f'] }),
      'PROTOCOL_BAD_FRAME',
      'r1',
    ],
    [
      'quick reply too long',
      JSON.stringify({ type: 'message.send', ref: 'r1', conversationId: 'c', clientId: 'm', text: 't', quickReplies: ['x'.repeat(41)] }),
      'PROTOCOL_STRING_TOO_LONG',
      'r1',
    ],
    ['quick reply empty', '{"type":"message.send","ref":"r1","conversationId":"c","clientId":"m","text":"t","quickReplies":[""]}', 'PROTOCOL_BAD_FRAME', 'r1'],
    ['quick reply blank', '{"type":"message.send","ref":"r1","conversationId":"c","clientId":"m","text":"t","quickReplies":["Yes","   "]}', 'PROTOCOL_BAD_FRAME', 'r1'],
    ['quick reply repeated', '{"type":"message.send","ref":"r1","conversationId":"c","clientId":"m","text":"t","quickReplies":["Yes","No","Yes"]}', 'PROTOCOL_BAD_FRAME', 'r1'],
    ['quick reply not a string', '{"type":"message.send","ref":"r1","conversationId":"c","clientId":"m","text":"t","quickReplies":[7]}', 'PROTOCOL_BAD_FRAME', 'r1'],
    ['quick replies not a list', '{"type":"message.send","ref":"r1","conversationId":"c","clientId":"m","text":"t","quickReplies":"Yes"}', 'PROTOCOL_BAD_FRAME', 'r1'],
    ['transcript email missing', '{"type":"transcript.email","ref":"r1","conversationId":"c"}', 'PROTOCOL_BAD_FRAME', 'r1'],
    ['transcript email not a string', '{"type":"transcript.email","ref":"r1","conversationId":"c","email":["a@b.co"]}', 'PROTOCOL_BAD_FRAME', 'r1'],
    [
      'transcript email too long',
      JSON.stringify({ type: 'transcript.email', ref: 'r1', conversationId: 'c', email: `${'a'.repeat(510)}@b.co` }),
      'PROTOCOL_STRING_TOO_LONG',
      'r1',
    ],
    ['oversize bytes', new Uint8Array(DEFAULT_LIMITS.maxFrameBytes + 1), 'PROTOCOL_FRAME_TOO_LARGE'],
    ['invalid UTF-8 bytes', new Uint8Array([0xff, 0xfe, 0x7b]), 'PROTOCOL_BAD_JSON'],
    ['identity not an object', '{"type":"hello","ref":"r1","v":1,"role":"visitor","identity":"user-1"}', 'PROTOCOL_BAD_FRAME', 'r1'],
    ['identity jwt wrong type', '{"type":"hello","ref":"r1","v":1,"role":"visitor","identity":{"jwt":7}}', 'PROTOCOL_BAD_FRAME', 'r1'],
    [
      'identity hmac too long',
      JSON.stringify({ type: 'hello', ref: 'r1', v: 1, role: 'visitor', identity: { userId: 'u', hmac: 'a'.repeat(65) } }),
      'PROTOCOL_STRING_TOO_LONG',
      'r1',
    ],
  ];

  it.each(rows.map(([name, raw, code, ref]) => ({ name, raw, code, ref })))('$name → $code', ({ raw, code, ref }) => {
    const result = decodeClientFrame(raw);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(code);
    expect(result.ref).toBe(ref);
  });

  it('accepts a valid message and strips unknown fields', () => {
    const raw = JSON.stringify({
      type: 'message.send',
      ref: 'r9',
      conversationId: 'c1',
      clientId: 'm1',
      text: 'hello',
      extra: { evil: true },
    });
    const result = decodeClientFrame(raw);
    expect(result).toEqual({
      ok: true,
      frame: { type: 'message.send', ref: 'r9', conversationId: 'c1', clientId: 'm1', text: 'hello' },
    });
  });

  it('does not let a __proto__ key change the prototype of the result', () => {
    const result = decodeClientFrame('{"type":"ping","ref":"r1","__proto__":{"polluted":true}}');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect((result.frame as unknown as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(result.frame)).toBe(Object.prototype);
  });

  it('round-trips every client frame through encodeFrame', () => {
    const frames: ClientFrame[] = [
      { type: 'hello', ref: 'a', v: PROTOCOL_VERSION, role: 'visitor', resume: [{ conversationId: 'c', afterSeq: 3 }] },
      { type: 'hello', ref: 'a2', v: PROTOCOL_VERSION, role: 'visitor', siteKey: 'shop', identity: { userId: 'user-1', hmac: 'ab'.repeat(32) } },
      { type: 'ping', ref: 'b' },
      { type: 'conversation.start', ref: 'c', clientId: 'k', profile: { name: 'Ana', locale: 'es' } },
      { type: 'conversation.join', ref: 'd', conversationId: 'c', afterSeq: 0 },
      { type: 'message.send', ref: 'e', conversationId: 'c', clientId: 'm', text: 'hi' },
      { type: 'message.send', ref: 'e2', conversationId: 'c', clientId: 'm2', text: 'Which size?', quickReplies: ['S', 'M', 'L'] },
      { type: 'history.get', ref: 'f', conversationId: 'c', beforeSeq: 10, limit: 20 },
      { type: 'typing', ref: 'g', conversationId: 'c', isTyping: true },
      { type: 'read', ref: 'h', conversationId: 'c', upToSeq: 4 },
      {
        type: 'conversation.escalate',
        ref: 'i',
        conversationId: 'c',
        reason: 'low_confidence',
        transcript: [{ kind: 'answer', text: 'We ship in 2 days', at: 5, entryId: 'shipping', confidence: 0.4 }],
      },
      { type: 'conversation.accept', ref: 'j', conversationId: 'c' },
      { type: 'conversation.close', ref: 'k', conversationId: 'c', reason: 'resolved' },
      { type: 'rating.submit', ref: 'l', conversationId: 'c', score: 5, comment: 'great' },
      { type: 'rating.submit', ref: 'l2', conversationId: 'c', score: 0 },
      { type: 'rating.submit', ref: 'l3', conversationId: 'c', score: 9, scale: 'nps' },
      { type: 'agent.availability', ref: 'm', availability: 'away', capacity: 3 },
      { type: 'visitor.page', ref: 'n', conversationId: 'c', url: 'https://shop.example/cart' },
      { type: 'transcript.email', ref: 'o', conversationId: 'c', email: 'ada@example.com' },
    ];
    for (const frame of frames) expect(decodeClientFrame(encodeFrame(frame))).toEqual({ ok: true, frame });
  });

  it('honours lowered limits', () => {
    const limits = { ...DEFAULT_LIMITS, maxTextLength: 3 };
    const raw = '{"type":"message.send","ref":"r","conversationId":"c","clientId":"m","text":"four"}';
    const result = decodeClientFrame(raw, limits);
    expect(result.ok ? null : result.error.code).toBe('PROTOCOL_STRING_TOO_LONG');
  });
});

describe('decodeServerFrame', () => {
  it('accepts pushes without ref', () => {
    const raw = encodeFrame({
      type: 'message.new',
      message: { conversationId: 'c', seq: 1, clientId: 'm', author: { role: 'agent', id: 'a1', name: 'Sam' }, kind: 'text', text: 'hi', at: 1 },
    });
    expect(decodeServerFrame(raw).ok).toBe(true);
  });

  it('refuses a message with seq 0, which the server never assigns', () => {
    const raw = encodeFrame({
      type: 'message.new',
      message: { conversationId: 'c', seq: 0, clientId: 'm', author: { role: 'agent', id: 'a1' }, kind: 'text', text: 'hi', at: 1 },
    });
    const result = decodeServerFrame(raw);
    expect(result.ok ? null : result.error.code).toBe('PROTOCOL_BAD_FRAME');
  });

  it('carries quick replies on a message, bounded like the client frame', () => {
    const msg = (quickReplies: unknown): string =>
      JSON.stringify({ type: 'message.new', message: { conversationId: 'c', seq: 1, clientId: 'm', author: { role: 'agent', id: 'a1' }, kind: 'text', text: 'hi', at: 1, quickReplies } });
    const ok = decodeServerFrame(msg(['Yes', 'No']));
    expect(ok.ok && ok.frame.type === 'message.new' ? ok.frame.message.quickReplies : null).toEqual(['Yes', 'No']);
    const long = decodeServerFrame(msg(['x'.repeat(DEFAULT_LIMITS.maxQuickReplyLength + 1)]));
    expect(long.ok ? null : long.error.code).toBe('PROTOCOL_STRING_TOO_LONG');
    const many = decodeServerFrame(msg(Array.from({ length: DEFAULT_LIMITS.maxQuickReplies + 1 }, (_, i) => `r${i}`)));
    expect(many.ok ? null : many.error.code).toBe('PROTOCOL_BAD_FRAME');
    // Buttons keyed by their text: a blank or a repeated one is refused, not shown.
    for (const bad of [['\t \n'], ['Yes', 'Yes']]) expect(decodeServerFrame(msg(bad))).toMatchObject({ ok: false, error: { code: 'PROTOCOL_BAD_FRAME' } });
  });

  it('refuses client frame types', () => {
    const result = decodeServerFrame('{"type":"message.send","ref":"r"}');
    expect(result.ok ? null : result.error.code).toBe('PROTOCOL_UNKNOWN_TYPE');
  });
});

describe('decodeServerFrameWith', () => {
  const snapshot = encodeFrame({ type: 'queue.snapshot', entries: [] });
  const message = (text: unknown): string =>
    JSON.stringify({ type: 'message.new', message: { conversationId: 'c', seq: 1, clientId: 'm', author: { role: 'agent', id: 'a1' }, kind: 'text', text, at: 1 } });

  it('accepts only the types of its table: a visitor never takes the agents\' queue snapshot', () => {
    expect(decodeServerFrameWith(SERVER_FIELDS, snapshot).ok).toBe(true);
    const r = decodeServerFrameWith(VISITOR_SERVER_FIELDS, snapshot);
    expect(r.ok ? null : r.error.code).toBe('PROTOCOL_UNKNOWN_TYPE');
    expect(Object.keys(SERVER_FIELDS).filter((t) => !(t in VISITOR_SERVER_FIELDS)).sort()).toEqual(['note.new', 'queue.snapshot']);
  });

  it('an internal note decodes for agents and is an unknown type to a visitor', () => {
    const note = encodeFrame({ type: 'note.new', note: { conversationId: 'c', clientId: 'n', author: { role: 'agent', id: 'a1' }, text: 'VIP', at: 1 } });
    expect(decodeServerFrameWith(SERVER_FIELDS, note).ok).toBe(true);
    const r = decodeServerFrameWith(VISITOR_SERVER_FIELDS, note);
    expect(r.ok ? null : r.error.code).toBe('PROTOCOL_UNKNOWN_TYPE');
  });

  it('checks visitor frames as strictly as decodeServerFrame: size, JSON, depth, types, lengths', () => {
    const cases = [
      message('hi'),
      message(42),
      message('x'.repeat(DEFAULT_LIMITS.maxTextLength + 1)),
      '{"type":"message.new"',
      'x'.repeat(DEFAULT_LIMITS.maxFrameBytes + 1),
      JSON.stringify({ type: 'message.new', message: { a: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]] } }),
      '{"type":"conversation.accept","conversationId":"c"}',
    ];
    for (const raw of cases) {
      const visitor = decodeServerFrameWith(VISITOR_SERVER_FIELDS, raw);
      const full = decodeServerFrame(raw);
      expect(visitor.ok ? 'ok' : visitor.error.code, raw.slice(0, 60)).toBe(full.ok ? 'ok' : full.error.code);
    }
    expect(decodeServerFrameWith(VISITOR_SERVER_FIELDS, message(42)).ok).toBe(false);
  });
});
