// Types for first-open-files.mjs, so the TypeScript Chromium test can import it.
export const FRESH_OPEN: readonly string[];
export const RESUMED_OPEN: readonly string[];
export const FIRST_OPEN: readonly string[];
export const AFTER_FIRST_MESSAGE: readonly string[];
export const WHEN_NEEDED: readonly string[];
