// Which widget files a first open downloads after the loader. size.mjs sums them; the Chromium test
// tests/e2e/widget-first-open-files.test.ts compares them with what the browser really fetches on the demo, so the
// budgeted figure cannot drift from reality when a chunk is added, split or deferred.

/** The demo storefront in English: click the launcher, ask a question the FAQ answers. */
export const FRESH_OPEN = ['app.js', 'faq.js'];

/** The same page reloaded while a conversation handed to a person is in progress (the app starts at once). */
export const RESUMED_OPEN = ['app.js', 'faq.js', 'transport.js'];

/**
 * Fetched on idle once the shopper has written something, i.e. after the first open: the forms a chat may end in
 * (pre-chat, leave a message, rating). Not budgeted as first open; size.mjs prints it on its own row.
 */
export const AFTER_FIRST_MESSAGE = ['forms.js'];

/**
 * Fetched only when needed: attach.js when the shopper presses the attach button, or when a message with files
 * shows (so a resumed chat whose history has files fetches it at once: not one of the two opens above).
 */
export const WHEN_NEEDED = ['attach.js'];

/**
 * What the first-open budget counts (issue 5): app, Preact, store, transport + protocol and the FAQ engine, even
 * where the widget defers one of them, and every file either real first open fetches.
 */
export const FIRST_OPEN = [...new Set([...FRESH_OPEN, ...RESUMED_OPEN, 'transport.js'])];
