// Coalesces the frames sent to one socket during one tick into one write: corks the socket on its first frame and
// uncorks every corked socket once the tick's callbacks and promise jobs have run. Knows nothing about frames.
//
// Why: a group commit settles many appends at once, and each then sends an ack to its sender and a message.new to
// every member; uncorked, every frame is its own write syscall. Corked, a socket gets one write per tick however
// many frames it was sent (the ack and the echo to a sender's socket go out together).

import type { Duplex } from 'node:stream';

const corked = new Set<Duplex>();
let isUncorkScheduled = false;

function uncorkAll(): void {
  isUncorkScheduled = false;
  for (const socket of corked) socket.uncork();
  corked.clear();
}

/** Holds `socket`'s writes until the end of this tick. Idempotent within a tick. */
export function corkUntilTickEnd(socket: Duplex): void {
  if (corked.has(socket)) return;
  socket.cork();
  corked.add(socket);
  if (isUncorkScheduled) return;
  isUncorkScheduled = true;
  // A tick callback queued from a promise job runs after the promise jobs queued with it, so the sends of a whole
  // settle cascade (acks, then broadcasts) land before the uncork.
  process.nextTick(uncorkAll);
}
