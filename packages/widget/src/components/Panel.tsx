// The chat dialog: header, banner, timeline and the view's form. Escape closes; focus moves in on open.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useActions, useStore, useT } from '../hooks/use-store.js';
import { safeImageSrc } from '../linkify.js';
import { Composer } from './Composer.js';
import { FormSlot } from './FormSlot.js';
import { QueueStatus } from './QueueStatus.js';
import { Timeline } from './Timeline.js';

export interface PanelProps {
  title?: string;
}

export function Panel({ title }: PanelProps) {
  const { t, dir, locale } = useT();
  const { close } = useActions();
  const isOpen = useStore((s) => s.ui.isOpen);
  const view = useStore((s) => s.ui.view);
  const notice = useStore((s) => s.ui.notice);
  const agent = useStore((s) => s.conversation.agent);
  const status = useStore((s) => s.conversation.status);
  // The boot config's, or the site's once its config arrives.
  const preChat = useStore((s) => s.ui.preChat);
  const ref = useRef<HTMLDivElement>(null);
  // Bumped when an on-demand form arrives after its view was shown: focus moves into it then.
  const [arrivals, setArrivals] = useState(0);
  const formArrived = (): void => setArrivals((n) => n + 1);
  // The server refuses non-http(s) avatars it is given, but not rows stored before that or other servers': check.
  const avatar = safeImageSrc(agent?.avatarUrl);

  useEffect(() => {
    if (!isOpen) return;
    const el = ref.current;
    const target = el?.querySelector<HTMLElement>('.pc-body textarea, .pc-body input') ?? el?.querySelector<HTMLElement>('.pc-body button') ?? el;
    target?.focus();
  }, [isOpen, view, arrivals]);

  if (!isOpen) return null;
  return (
    <div
      ref={ref}
      class="pc-panel"
      role="dialog"
      aria-labelledby="pc-title"
      lang={locale}
      dir={dir}
      tabIndex={-1}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          close();
        }
      }}
    >
      <header class="pc-header">
        {avatar ? <img class="pc-avatar" src={avatar} alt="" width={32} height={32} /> : null}
        <h2 id="pc-title">{status === 'assigned' && agent ? agent.name : (title ?? t('panel.title'))}</h2>
        <button type="button" class="pc-close" aria-label={t('panel.close')} onClick={close}>
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
            <path d="M6 6l12 12M18 6L6 18" />
          </svg>
        </button>
      </header>
      {notice ? (
        <p class="pc-notice" role="alert">
          {t(notice)}
        </p>
      ) : null}
      <Timeline />
      <div class="pc-body">
        <QueueStatus />
        {view === 'prechat' || view === 'offline' ? (
          <FormSlot view={view} preChat={preChat} onArrived={formArrived} />
        ) : view === 'rating' || status === 'closed' ? (
          <FormSlot view="rating" preChat={preChat} onArrived={formArrived} />
        ) : (
          <Composer />
        )}
      </div>
    </div>
  );
}
