// Message attachments may only point at files this server stored for the same sender: anything else (a foreign
// URL, another visitor's upload, a forged size or type) is refused, and what is stored comes from the server's record.

import { ParleyError, type Attachment } from '@parley/protocol';
import { uploadIdFromUrl, type UploadStore } from './disk-store.js';

export async function resolveAttachments(store: UploadStore | undefined, senderId: string, given: readonly Attachment[]): Promise<Attachment[]> {
  const refused = (url: string) => new ParleyError('ATTACHMENT_URL_REFUSED', `not a file this server stored for you: ${url.slice(0, 200)}`);
  const resolved: Attachment[] = [];
  for (const attachment of given) {
    const id = uploadIdFromUrl(attachment.url);
    const record = store === undefined || id === undefined ? undefined : await store.get(id);
    if (record === undefined || record.url !== attachment.url || record.owner !== senderId) throw refused(attachment.url);
    resolved.push({ name: record.name, mime: record.mime, size: record.size, url: record.url });
  }
  return resolved;
}
