// Per-conversation ordering: deliver seq lastSeq+1 only, drop duplicates, hold messages after a gap. No I/O.

import type { Message } from '@parley/protocol';

/** How many recent clientIds a conversation remembers for the clientId dedup. */
const SEEN_CLIENT_IDS = 200;

export interface Sequencer {
  /** Highest seq handed to the consumer (or skipped as an already-seen clientId). */
  readonly lastSeq: number;
  /** Feeds one message; returns the messages now deliverable, in seq order (often none or just this one). */
  receive(message: Message): Message[];
  /** True when messages after a gap are being held: fetch `history.get {afterSeq: lastSeq}`. */
  hasGap(): boolean;
  /**
   * Starts counting again from `lastSeq` and drops held messages, but remembers seen clientIds, so a replay from 0
   * (after `PROTOCOL_STALE_RESUME`) does not show the consumer what it already saw.
   */
  reset(lastSeq: number): void;
}

export function createSequencer(initialLastSeq: number): Sequencer {
  let lastSeq = initialLastSeq;
  const held = new Map<number, Message>();
  const seen = new Set<string>();

  const remember = (clientId: string): void => {
    seen.add(clientId);
    // Sets iterate in insertion order, so the first key is the oldest.
    if (seen.size > SEEN_CLIENT_IDS) seen.delete(seen.values().next().value as string);
  };

  return {
    get lastSeq() {
      return lastSeq;
    },
    receive(message) {
      if (message.seq <= lastSeq || held.has(message.seq)) return [];
      held.set(message.seq, message);
      const out: Message[] = [];
      for (let next = held.get(lastSeq + 1); next !== undefined; next = held.get(lastSeq + 1)) {
        held.delete(next.seq);
        lastSeq = next.seq;
        // The server stores a clientId once, so a repeat means a replayed or restored history: skip it, keep counting.
        if (seen.has(next.clientId)) continue;
        remember(next.clientId);
        out.push(next);
      }
      return out;
    },
    hasGap: () => held.size > 0,
    reset(value) {
      lastSeq = value;
      held.clear();
    },
  };
}
