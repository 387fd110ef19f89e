// Queue wait estimates: an exponentially weighted moving average of recent waits, spread over queue positions.
// Pure; storage supplies the waits.

/** Weight of the newest wait: about the last half-dozen waits carry most of the estimate. */
export const WAIT_EWMA_ALPHA = 0.3;
/** Assumed wait before any conversation of the site has been assigned. */
export const DEFAULT_WAIT_MS = 120_000;

/**
 * EWMA over `waitsMs`, oldest first: each new wait moves the average `alpha` of the way towards itself.
 * Returns `fallbackMs` when there are no waits yet.
 * @example
 * ewmaMs([60_000, 30_000], 0.5) // 45_000
 */
export function ewmaMs(waitsMs: readonly number[], alpha = WAIT_EWMA_ALPHA, fallbackMs = DEFAULT_WAIT_MS): number {
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError('alpha must be in (0, 1]');
  let average: number | undefined;
  for (const wait of waitsMs) {
    if (!Number.isFinite(wait) || wait < 0) continue;
    average = average === undefined ? wait : average + alpha * (wait - average);
  }
  return average ?? fallbackMs;
}

/**
 * Seconds until the entry at `position` (1 = next) of a queue of `queueLength` is taken. The average wait is what
 * a conversation joining at the back has recently waited; with the queue served in order, the entries ahead of the
 * back are proportionally nearer, so the head waits `average / length` and the back the whole `average`.
 */
export function estimateWaitSeconds(position: number, queueLength: number, averageWaitMs: number): number {
  const length = Math.max(1, queueLength, position);
  return Math.max(0, Math.round((averageWaitMs * position) / length / 1000));
}
