// Rating scales: which values are scales, and whether a score is on one. Pure; the handler and storage use it.

import { ParleyError, RATING_SCALE_RANGES, type RatingScale } from '@parley/protocol';

const RATING_SCALES = Object.keys(RATING_SCALE_RANGES) as RatingScale[];

/** Whether a value is a known rating scale (rows and admin input are boundaries: check them). */
export function isRatingScale(value: unknown): value is RatingScale {
  return typeof value === 'string' && (RATING_SCALES as string[]).includes(value);
}

/** A stored scale, or `csat` (the default, and what rows written before scales existed mean). */
export function toRatingScale(value: unknown): RatingScale {
  return isRatingScale(value) ? value : 'csat';
}

/** Throws RATING_OUT_OF_SCALE unless `score` is an integer within `scale`'s range. */
export function checkRatingScore(scale: RatingScale, score: number): void {
  const [min, max] = RATING_SCALE_RANGES[scale];
  if (!Number.isInteger(score) || score < min || score > max) {
    throw new ParleyError('RATING_OUT_OF_SCALE', `this site rates on ${scale}: a score from ${min} to ${max}`, { details: { scale, min, max } });
  }
}
