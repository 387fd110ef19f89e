import { type RatingScale } from '@parley/protocol';
/** Whether a value is a known rating scale (rows and admin input are boundaries: check them). */
export declare function isRatingScale(value: unknown): value is RatingScale;
/** A stored scale, or `csat` (the default, and what rows written before scales existed mean). */
export declare function toRatingScale(value: unknown): RatingScale;
/** Throws RATING_OUT_OF_SCALE unless `score` is an integer within `scale`'s range. */
export declare function checkRatingScore(scale: RatingScale, score: number): void;
