// UI slice: open/closed, which view, unread count, banner. No transport calls except through other actions.
import type { SliceContext } from './widget-store.js';
import type { UiState, View } from './types.js';

export interface UiActions {
  open(): void;
  close(): void;
  toggle(): void;
  setView(view: View): void;
  /** Set the unread count (from this tab or another); emits `unread` when it changes. */
  setUnread(count: number): void;
  setNotice(key: string | undefined): void;
}

export function uiSlice({ get, patch, deps }: SliceContext): { ui: UiState } & UiActions {
  return {
    ui: { isOpen: false, view: 'chat', unread: 0, ratingScale: deps.ratingScale ?? 'csat' },
    open() {
      if (get().ui.isOpen) return;
      patch('ui', { isOpen: true });
      deps.emit('open', undefined);
      get().markRead();
    },
    close() {
      if (!get().ui.isOpen) return;
      patch('ui', { isOpen: false });
      deps.emit('close', undefined);
    },
    toggle() {
      if (get().ui.isOpen) get().close();
      else get().open();
    },
    setView: (view) => patch('ui', { view }),
    setUnread(count) {
      if (get().ui.unread === count) return;
      patch('ui', { unread: count });
      deps.emit('unread', { count });
    },
    setNotice: (notice) => patch('ui', { notice }),
  };
}
