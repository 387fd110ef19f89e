// The two on-demand parts of the app and how they are named. Types only: loading is the controller's job
// (script elements for the script tag, dynamic import for npm).
import type { buildIndex, decide, loadIndex } from '@parley/faq';
import type { createClient, localStorageStorage } from '@parley/transport';

/** Loaded when the app starts, in the background: needed for the first question. */
export interface FaqModule {
  buildIndex: typeof buildIndex;
  loadIndex: typeof loadIndex;
  decide: typeof decide;
}

/** Loaded only when a person is needed, or at once when a conversation is in progress. */
export interface TransportModule {
  createClient: typeof createClient;
  localStorageStorage: typeof localStorageStorage;
}

export interface ModuleMap {
  faq: FaqModule;
  transport: TransportModule;
}

export type LoadModule = <K extends keyof ModuleMap>(name: K) => Promise<ModuleMap[K]>;
