// Reconnect delays: jittered exponential, capped. Pure; the socket owns the timers.

/** Reconnect timing. All values in milliseconds. */
export interface BackoffOptions {
  /** Upper bound of the first delay. Default 500. */
  baseMs: number;
  /** No delay is ever longer than this. Default 30 000. */
  capMs: number;
  /** A connection must stay open this long before the attempt counter resets. Default 10 000. */
  stableAfterMs: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({ baseMs: 500, capMs: 30_000, stableAfterMs: 10_000 });

/**
 * Delay before reconnect attempt `attempt` (0-based): "full jitter", a random value in
 * `[0, min(capMs, baseMs * 2 ** attempt)]`. Full jitter spreads a thundering herd after a server restart
 * (see the AWS architecture blog, "Exponential Backoff And Jitter").
 * @example
 * delayMs(3, { baseMs: 500, capMs: 30_000 }, () => 0.5); // 2000
 */
export function delayMs(
  attempt: number,
  options: Pick<BackoffOptions, 'baseMs' | 'capMs'> = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  // 2 ** 1100 is Infinity, and Math.min handles that, so a huge attempt count cannot overflow into NaN.
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling * random());
}
