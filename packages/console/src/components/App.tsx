// The console's frame: skip link, banner, main navigation, the current screen, and a polite live region.
import { useEffect, useRef } from 'preact/hooks';
import { useStore } from '../hooks/use-store.js';
import type { Route } from '../store/console-store.js';
import { AgentsScreen } from './AgentsScreen.js';
import { ChatsScreen } from './ChatsScreen.js';
import { CsatScreen } from './CsatScreen.js';
import { FaqScreen } from './FaqScreen.js';
import { Header } from './Header.js';
import { HistoryScreen } from './HistoryScreen.js';
import { LoginScreen } from './LoginScreen.js';
import { QueueScreen } from './QueueScreen.js';
import { SettingsScreen } from './SettingsScreen.js';
import { SitesScreen } from './SitesScreen.js';

const SCREENS: Record<Route, () => preact.JSX.Element> = {
  queue: QueueScreen,
  chats: ChatsScreen,
  history: HistoryScreen,
  csat: CsatScreen,
  settings: SettingsScreen,
  agents: AgentsScreen,
  sites: SitesScreen,
  faq: FaqScreen,
};

/** Screens only admins see (the server refuses their API to anyone else too). */
const ADMIN_ITEMS: Array<{ route: Route; label: string }> = [
  { route: 'agents', label: 'Agents' },
  { route: 'sites', label: 'Sites' },
  { route: 'faq', label: 'FAQ' },
];

function NotAllowed() {
  return (
    <section aria-labelledby="not-allowed-title">
      <h1 id="not-allowed-title">Admins only</h1>
      <p>This page is for admins. Ask an admin of this Parley installation for access.</p>
    </section>
  );
}

function NavBar() {
  const route = useStore((s) => s.route);
  const queueCount = useStore((s) => s.queue.length);
  const unread = useStore((s) => Object.values(s.chats).reduce((n, c) => n + c.unread, 0));
  const chatCount = useStore((s) => s.chatOrder.length);
  const items: Array<{ route: Route; label: string }> = [
    { route: 'queue', label: `Queue (${queueCount})` },
    { route: 'chats', label: `Chats (${chatCount}${unread > 0 ? `, ${unread} unread` : ''})` },
    { route: 'history', label: 'History' },
    { route: 'csat', label: 'Satisfaction' },
    { route: 'settings', label: 'Canned responses' },
  ];
  const isAdmin = useStore((s) => s.auth.agent?.role === 'admin');
  const all = isAdmin ? [...items, ...ADMIN_ITEMS] : items;
  return (
    <nav class="main-nav" aria-label="Main">
      <ul>
        {all.map((item) => (
          <li key={item.route}>
            <a href={`#/${item.route}`} aria-current={route === item.route ? 'page' : undefined}>
              {item.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function App() {
  const status = useStore((s) => s.auth.status);
  const route = useStore((s) => s.route);
  const notice = useStore((s) => s.notice);
  const isAdmin = useStore((s) => s.auth.agent?.role === 'admin');
  const main = useRef<HTMLElement>(null);
  const isFirst = useRef(true);
  // Moving focus to the new screen tells keyboard and screen-reader users the page changed.
  useEffect(() => {
    if (isFirst.current) {
      isFirst.current = false;
      return;
    }
    main.current?.focus();
  }, [route]);
  if (status !== 'signed-in') {
    return (
      <>
        <LoginScreen />
        <div class="visually-hidden" role="status" aria-live="polite">
          {status === 'signing-in' ? 'Signing in…' : ''}
        </div>
      </>
    );
  }
  const Screen = isAdmin || !ADMIN_ITEMS.some((item) => item.route === route) ? SCREENS[route] : NotAllowed;
  return (
    <>
      <a class="skip-link" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        Skip to content
      </a>
      <Header />
      <NavBar />
      <main id="main" ref={main} tabIndex={-1}>
        <Screen />
      </main>
      <div class="visually-hidden" role="status" aria-live="polite">
        {notice ?? ''}
      </div>
    </>
  );
}
