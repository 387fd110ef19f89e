import type { BusinessHours } from './storage/storage.js';
/** True when `at` (ms since the epoch) falls inside one of the open intervals; `close` is exclusive. */
export declare function isOpenAt(hours: BusinessHours, at: number): boolean;
