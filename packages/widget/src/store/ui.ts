// UI slice: open/closed, which view, unread count, banner. No transport calls except through other actions.
import type { SliceContext } from './widget-store.js';
import type { UiState, View } from './types.js';

/** The site-level settings the site's config may supply (see site-config.ts). */
export type SiteSettings = Partial<Pick<UiState, 'ratingScale' | 'preChat' | 'canEmailTranscript' | 'isSiteOpen'>>;

export interface UiActions {
  open(): void;
  close(): void;
  toggle(): void;
  setView(view: View): void;
  /** Set the unread count (from this tab or another); emits `unread` when it changes. */
  setUnread(count: number): void;
  setNotice(key: string | undefined): void;
  /** Applies the site's settings (the caller leaves out what the boot config already set). */
  configure(settings: SiteSettings): void;
}

export function uiSlice({ get, patch, deps }: SliceContext): { ui: UiState } & UiActions {
  return {
    ui: { isOpen: false, view: 'chat', unread: 0, ratingScale: deps.ratingScale ?? 'csat', preChat: deps.preChat, canEmailTranscript: false },
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
    configure: (settings) => patch('ui', settings),
  };
}
