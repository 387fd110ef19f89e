// Composes the slices into one zustand vanilla store. No DOM, no Preact; only actions talk to transport.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ConversationActions } from './conversation.js';
import { conversationSlice } from './conversation.js';
import type { FaqActions } from './faq.js';
import { faqSlice } from './faq.js';
import type { ConversationState, FaqState, StoreDeps, UiState } from './types.js';
import type { UiActions } from './ui.js';
import { uiSlice } from './ui.js';

export interface WidgetState extends UiActions, FaqActions, ConversationActions {
  ui: UiState;
  faq: FaqState;
  conversation: ConversationState;
}

export type WidgetStore = StoreApi<WidgetState>;
export type SetState = StoreApi<WidgetState>['setState'];
export type GetState = StoreApi<WidgetState>['getState'];

/** Context every slice gets: the store's set/get, a patch helper per slice, and the outside world. */
export interface SliceContext {
  set: SetState;
  get: GetState;
  patch<K extends 'ui' | 'faq' | 'conversation'>(slice: K, value: Partial<WidgetState[K]>): void;
  deps: Required<Pick<StoreDeps, 'now' | 'uuid' | 'isHidden'>> & StoreDeps;
}

/** One store per mounted widget. */
export function createWidgetStore(deps: StoreDeps): WidgetStore {
  return createStore<WidgetState>()((set, get) => {
    const ctx: SliceContext = {
      set,
      get,
      patch: (slice, value) => set((s) => ({ [slice]: { ...s[slice], ...value } }) as Partial<WidgetState>),
      deps: {
        now: Date.now,
        uuid: () => crypto.randomUUID(),
        isHidden: () => typeof document !== 'undefined' && document.visibilityState === 'hidden',
        ...deps,
      },
    };
    return { ...uiSlice(ctx), ...faqSlice(ctx), ...conversationSlice(ctx) };
  });
}
