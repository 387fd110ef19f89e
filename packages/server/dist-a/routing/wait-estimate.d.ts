/** Weight of the newest wait: about the last half-dozen waits carry most of the estimate. */
export declare const WAIT_EWMA_ALPHA = 0.3;
/** Assumed wait before any conversation of the site has been assigned. */
export declare const DEFAULT_WAIT_MS = 120000;
/**
 * EWMA over `waitsMs`, oldest first: each new wait moves the average `alpha` of the way towards itself.
 * Returns `fallbackMs` when there are no waits yet.
 * @example
 * ewmaMs([60_000, 30_000], 0.5) // 45_000
 */
export declare function ewmaMs(waitsMs: readonly number[], alpha?: number, fallbackMs?: number): number;
/**
 * Seconds until the entry at `position` (1 = next) of a queue of `queueLength` is taken. The average wait is what
 * a conversation joining at the back has recently waited; with the queue served in order, the entries ahead of the
 * back are proportionally nearer, so the head waits `average / length` and the back the whole `average`.
 */
export declare function estimateWaitSeconds(position: number, queueLength: number, averageWaitMs: number): number;
