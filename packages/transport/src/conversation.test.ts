import { describe, expect, it } from 'vitest';
import type { Message } from '@parley/protocol';
import { createSequencer } from './conversation.js';

const msg = (seq: number, clientId = `m${seq}`): Message => ({
  conversationId: 'c1',
  seq,
  clientId,
  author: { role: 'agent', id: 'a1' },
  kind: 'text',
  text: `#${seq}`,
  at: seq,
});
const seqs = (list: Message[]): number[] => list.map((m) => m.seq);

describe('createSequencer', () => {
  it('delivers lastSeq + 1 and drops seq <= lastSeq', () => {
    const s = createSequencer(2);
    expect(seqs(s.receive(msg(2)))).toEqual([]);
    expect(seqs(s.receive(msg(1)))).toEqual([]);
    expect(seqs(s.receive(msg(3)))).toEqual([3]);
    expect(seqs(s.receive(msg(3)))).toEqual([]);
    expect(s.lastSeq).toBe(3);
  });

  it('holds messages after a gap and drains them in order once it is filled', () => {
    const s = createSequencer(0);
    expect(seqs(s.receive(msg(1)))).toEqual([1]);
    expect(seqs(s.receive(msg(4)))).toEqual([]);
    expect(seqs(s.receive(msg(3)))).toEqual([]);
    expect(seqs(s.receive(msg(4)))).toEqual([]);
    expect(s.hasGap()).toBe(true);
    expect(seqs(s.receive(msg(2)))).toEqual([2, 3, 4]);
    expect(s.hasGap()).toBe(false);
  });

  it('skips a clientId it already delivered but keeps counting', () => {
    const s = createSequencer(0);
    s.receive(msg(1, 'x'));
    expect(seqs(s.receive(msg(2, 'x')))).toEqual([]);
    expect(s.lastSeq).toBe(2);
    expect(seqs(s.receive(msg(3, 'y')))).toEqual([3]);
  });

  it('after reset(0) replays only messages it never delivered', () => {
    const s = createSequencer(0);
    s.receive(msg(1, 'a'));
    s.receive(msg(2, 'b'));
    s.reset(0);
    // A restored server renumbered: b lost, c new.
    expect(seqs(s.receive(msg(1, 'a')))).toEqual([]);
    expect(s.receive(msg(2, 'c')).map((m) => m.clientId)).toEqual(['c']);
  });
});
