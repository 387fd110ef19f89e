// Desktop notifications (Notification API, permission asked only from a user gesture) and the title badge.
// Holds no state besides the base title; the store decides when to notify.

export interface Notifier {
  /** `default` until the agent answers the permission prompt; `unsupported` without the API. */
  permission(): NotificationPermission | 'unsupported';
  /** Call from a click handler: browsers ignore prompts without a user gesture. */
  requestPermission(): Promise<NotificationPermission | 'unsupported'>;
  /** Shows a notification when permitted and the page is hidden; clicking it focuses the console. */
  notify(title: string, body: string, tag: string): void;
  /** `(3) Parley Console` when 3 things wait for the agent; the base title at 0. */
  setBadge(count: number): void;
}

export function createNotifier(win: Window & typeof globalThis = window): Notifier {
  const baseTitle = win.document.title || 'Parley Console';
  const api = 'Notification' in win ? win.Notification : undefined;
  return {
    permission: () => api?.permission ?? 'unsupported',
    async requestPermission() {
      if (api === undefined) return 'unsupported';
      return api.requestPermission();
    },
    notify(title, body, tag) {
      if (api === undefined || api.permission !== 'granted' || win.document.visibilityState === 'visible') return;
      try {
        const n = new api(title, { body, tag });
        n.onclick = () => {
          win.focus();
          n.close();
        };
      } catch {
        // Some browsers (Android Chrome) only allow notifications from a service worker; the title badge remains.
      }
    },
    setBadge(count) {
      win.document.title = count > 0 ? `(${count}) ${baseTitle}` : baseTitle;
    },
  };
}
