// The on-demand parts of the app and how they are named (the script tag loads `<name>.js`). Types only: loading
// is the controller's job (script elements for the script tag, dynamic import for npm).
import type { buildIndex, loadIndex } from '@parley/faq';
import type { addLocaleWords, decide, faqLocales, FaqLocale, loadCompiled, LocaleWords } from '@parley/faq/runtime-core';
import type { createVisitorClient, localStorageStorage } from '@parley/transport';

/** Loaded when a form is about to show (pre-chat, leave a message, rating), prefetched once the shopper writes. */
export type FormsModule = typeof import('./forms.js');

/** Loaded when the shopper presses the attach button or a message with files shows: checks, upload, file list. */
export type AttachModule = typeof import('./attach.js');

/** Loaded when the app starts, in the background: needed for the first question. Query-only: no builder. */
export interface FaqModule {
  loadCompiled: typeof loadCompiled;
  decide: typeof decide;
  faqLocales: typeof faqLocales;
  addLocaleWords: typeof addLocaleWords;
}

/** One language's stop words and stemmer data, loaded when the FAQ is in that language (English is in faq.js). */
export type FaqWordsModule = Partial<Record<FaqLocale, LocaleWords>>;

/** Loaded only when the FAQ must be built in the page: inline entries, an entries file or a `toJSON()` index. */
export interface FaqBuildModule {
  buildIndex: typeof buildIndex;
  loadIndex: typeof loadIndex;
}

/** Loaded only when a person is needed, or at once when a conversation is in progress. */
export interface TransportModule {
  createVisitorClient: typeof createVisitorClient;
  localStorageStorage: typeof localStorageStorage;
}

export type ModuleMap = {
  faq: FaqModule;
  'faq-build': FaqBuildModule;
  transport: TransportModule;
  forms: FormsModule;
  attach: AttachModule;
} & { [L in FaqLocale as `faq-words-${L}`]: FaqWordsModule };

export type LoadModule = <K extends keyof ModuleMap>(name: K) => Promise<ModuleMap[K]>;
