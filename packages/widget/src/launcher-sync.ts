// Keeps the loader's launcher button in step with the app: localised label, aria-expanded, unread badge.
import type { Launcher } from './launcher.js';

export interface LauncherState {
  isOpen: boolean;
  unread: number;
  labels: { open: string; close: string; unread: string };
}

export function syncLauncher({ button }: Launcher, { isOpen, unread, labels }: LauncherState): void {
  let badge = button.querySelector('.pb');
  if (!badge) {
    badge = button.appendChild(button.ownerDocument.createElement('span'));
    badge.className = 'pb';
    badge.setAttribute('aria-hidden', 'true');
  }
  const base = isOpen ? labels.close : labels.open;
  button.setAttribute('aria-expanded', String(isOpen));
  button.setAttribute('aria-label', unread > 0 ? `${base} (${labels.unread})` : base);
  badge.textContent = unread > 0 ? String(Math.min(unread, 99)) : '';
}
