// Test support: waiting for real socket I/O while timers are fake. Never bundled.

import { setImmediate as immediate } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';

/** Polls `condition` on real I/O turns (not fake timers) until it holds; fails after `realMs` of real time. */
export async function until(condition: () => boolean, realMs = 3000): Promise<void> {
  const deadline = performance.now() + realMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${realMs} ms: ${condition.toString()}`);
    await immediate();
  }
}

/** Lets pending real I/O run for a moment, for asserting that something did NOT happen. */
export async function settleIo(realMs = 30): Promise<void> {
  const deadline = performance.now() + realMs;
  while (performance.now() < deadline) await immediate();
}
