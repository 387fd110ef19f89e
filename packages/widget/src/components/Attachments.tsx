// A message's files: the attach chunk's list once it has loaded; meanwhile an empty busy status, and Retry when
// the chunk could not be fetched (the message's text and state show as usual).
import type { Attachment } from '@parley/protocol';
import { useContext } from 'preact/hooks';
import { AttachContext, useChunk } from '../hooks/use-chunk.js';
import { useT } from '../hooks/use-store.js';

export function Attachments({ items }: { items: Attachment[] }) {
  const { t } = useT();
  const { chunk, hasFailed, retry } = useChunk(useContext(AttachContext));
  if (chunk) return <chunk.AttachmentList items={items} />;
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
