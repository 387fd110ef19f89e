// Cross-tab sync over BroadcastChannel, outside the store: one conversation and one unread count for all tabs.
// Every tab in the conversation has its own socket and counts the messages it receives, so all tabs reach the same
// count by themselves; only reads (the count going to 0) are shared. Sharing every count made a tab that heard
// another's "1" before its own copy of the message arrived count that message twice.
import type { WidgetStore } from './store/widget-store.js';

type SyncMessage = { t: 'unread'; n: number } | { t: 'conv'; id: string | null };

export interface TabSync {
  /** Tell other tabs about a started (or forgotten) conversation. */
  announce(conversationId: string | null): void;
  close(): void;
}

function isSyncMessage(d: unknown): d is SyncMessage {
  const m = d as Partial<SyncMessage> | null;
  return (m?.t === 'unread' && typeof m.n === 'number' && m.n >= 0) || (m?.t === 'conv' && (m.id === null || typeof m.id === 'string'));
}

/** No-op where BroadcastChannel is missing (old Safari): each tab then keeps its own count. */
export function createTabSync(channelName: string, store: WidgetStore): TabSync {
  if (typeof BroadcastChannel === 'undefined') return { announce() {}, close() {} };
  const channel = new BroadcastChannel(channelName);
  let isRemote = false;
  channel.onmessage = (e: MessageEvent) => {
    // Same-origin only by construction, but still a boundary: other scripts on the origin can post here.
    if (!isSyncMessage(e.data)) return;
    const s = store.getState();
    isRemote = true;
    try {
      if (e.data.t === 'unread') {
        if (e.data.n === 0) s.setUnread(0);
      } else if (e.data.id && !s.conversation.id) s.resume(e.data.id);
    } finally {
      isRemote = false;
    }
  };
  const off = store.subscribe((s, prev) => {
    if (!isRemote && s.ui.unread === 0 && prev.ui.unread !== 0) channel.postMessage({ t: 'unread', n: 0 } satisfies SyncMessage);
  });
  return {
    announce: (id) => channel.postMessage({ t: 'conv', id } satisfies SyncMessage),
    close() {
      off();
      channel.close();
    },
  };
}
