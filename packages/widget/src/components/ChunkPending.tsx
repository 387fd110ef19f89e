// What stands in for an on-demand chunk's UI: an empty busy status while it loads, an alert with Retry when the
// fetch failed (the loader has already emitted WIDGET_LOAD_FAILED).
import { useT } from '../hooks/use-store.js';

export function ChunkPending({ hasFailed, retry }: { hasFailed: boolean; retry(): void }) {
  const { t } = useT();
  return hasFailed ? (
    <p class="pc-error" role="alert">
      {t('error.generic')}{' '}
      <button type="button" class="pc-link" onClick={retry}>
        {t('message.retry')}
      </button>
    </p>
  ) : (
    <p role="status" aria-busy="true" />
  );
}
