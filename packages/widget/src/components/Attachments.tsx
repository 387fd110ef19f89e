// A message's files: the attach chunk's list once it has loaded (the message's text and state show meanwhile).
import type { Attachment } from '@parley/protocol';
import { useContext } from 'preact/hooks';
import { AttachContext, useChunk } from '../hooks/use-chunk.js';
import { ChunkPending } from './ChunkPending.js';

export function Attachments({ items }: { items: Attachment[] }) {
  const { chunk, hasFailed, retry } = useChunk(useContext(AttachContext));
  return chunk ? <chunk.AttachmentList items={items} /> : <ChunkPending hasFailed={hasFailed} retry={retry} />;
}
