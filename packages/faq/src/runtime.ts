// `@parley/faq/runtime`: the query engine of runtime-core.ts with every shipped language's words added at import
// (Node, tests, bundles that do not care for the bytes). The one statement besides re-exports is that addition.
import { addLocaleWords } from './locale-words.js';
import { OTHER_LOCALE_WORDS } from './other-locale-words.js';

addLocaleWords(OTHER_LOCALE_WORDS);

export * from './runtime-core.js';
