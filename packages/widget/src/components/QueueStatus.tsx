// Hand-off progress: connecting, then queue position and estimated wait (Intl-formatted).
import { useStore, useT } from '../hooks/use-store.js';

export function QueueStatus() {
  const { t, minutes } = useT();
  const status = useStore((s) => s.conversation.status);
  const position = useStore((s) => s.conversation.queue?.position);
  const eta = useStore((s) => s.conversation.queue?.etaSeconds);
  if (status !== 'connecting' && status !== 'queued') return null;
  return (
    <div class="pc-queue" role="status">
      {status === 'connecting' ? (
        <p>{t('escalate.connecting')}</p>
      ) : position === undefined ? (
        <p>{t('queue.waiting')}</p>
      ) : (
        <p>
          {t('queue.position', { position })} {eta !== undefined ? t('queue.eta', { eta: minutes(eta) }) : null}
        </p>
      )}
    </div>
  );
}
