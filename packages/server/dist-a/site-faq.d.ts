import { type FaqProblem } from '@parley/faq';
import { ParleyError } from '@parley/protocol';
import type { SiteFaq } from './storage/faq-store.js';
/** Largest FAQ source accepted, in bytes (the storefront FAQ of 42 entries is about 12 kB). */
export declare const MAX_FAQ_BYTES: number;
/** The typed error for an invalid FAQ: PROTOCOL_BAD_FRAME, with `details.problems` as `{ line, message }[]`. */
export declare function faqInvalid(problems: FaqProblem[]): ParleyError;
/** The compiled FAQ (`@parley/faq/runtime` format) as JSON text; throws `faqInvalid` for bad Markdown. */
export declare function compileFaqSource(source: string): {
    json: string;
    entries: number;
};
/** Compiled FAQ JSON per site, rebuilt only when the saved version changes. */
export declare function createCompiledFaqCache(maxSites?: number): {
    get(faq: SiteFaq): string;
};
