// Files the shopper attaches: what the widget accepts before spending an upload, and the upload itself
// (`POST /api/uploads` on the chat server, the visitor token in the Authorization header, never in the URL).
import type { Attachment } from '@parley/protocol';

/** The server's default limit; it checks again (413), this only spares the shopper a doomed upload. */
export const MAX_ATTACH_BYTES = 10 * 1024 * 1024;
/** What the server accepts by default, as the file picker's filter. The server decides from the bytes. */
export const ATTACH_ACCEPT = 'image/png,image/jpeg,image/gif,image/webp,application/pdf,application/zip,text/plain,text/csv,.txt,.csv,.zip';
const ACCEPTED = /^(image\/(png|jpeg|gif|webp)|application\/(pdf|zip|x-zip-compressed)|text\/(plain|csv))$/;
const ACCEPTED_NAME = /\.(png|jpe?g|gif|webp|pdf|zip|txt|csv)$/i;

/** An i18n key saying why `file` cannot be sent, or undefined when it may be. */
export function refuseFile(file: { name: string; size: number; type: string }): 'attach.tooLarge' | 'attach.type' | undefined {
  if (file.size > MAX_ATTACH_BYTES) return 'attach.tooLarge';
  if (file.size === 0 || !(ACCEPTED.test(file.type) || (file.type === '' && ACCEPTED_NAME.test(file.name)))) return 'attach.type';
  return undefined;
}

/** `wss://chat.example/ws/visitor` → `https://chat.example/api/uploads`. */
export function uploadEndpoint(socketUrl: string): string {
  const url = new URL(socketUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = '/api/uploads';
  url.search = '';
  return url.href;
}

/** Uploads one file; rejects with `{code, message}` from the server (413, 415, 429…) or a network error. */
export async function uploadFile(endpoint: string, token: string | undefined, file: File): Promise<Attachment> {
  const res = await fetch(endpoint, {
    method: 'POST',
    body: file,
    headers: {
      'content-type': file.type || 'application/octet-stream',
      'x-parley-filename': encodeURIComponent(file.name),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
  });
  const body = (await res.json().catch(() => ({}))) as { attachment?: Attachment; code?: string; message?: string };
  if (!res.ok || body.attachment === undefined) {
    throw Object.assign(new Error(body.message ?? `upload failed (${res.status})`), { code: body.code ?? 'WIDGET_UPLOAD_FAILED' });
  }
  return body.attachment;
}
