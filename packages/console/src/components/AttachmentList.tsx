// A message's files in the console: images as thumbnails of the served file, others as download links. Names are
// text; only http(s) URLs are used, so a stored `javascript:` URL renders as plain text.
import type { Attachment } from '@parley/protocol';

const IMAGE = /^image\/(png|jpeg|gif|webp)$/;

function httpUrl(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Bytes as "12 kB" / "3.2 MB" in the agent's locale. */
export function formatSize(bytes: number): string {
  const [value, unit] = bytes >= 1024 * 1024 ? [bytes / (1024 * 1024), 'megabyte'] : [Math.max(bytes, 1) / 1024, 'kilobyte'];
  return new Intl.NumberFormat(undefined, { style: 'unit', unit, maximumFractionDigits: 1 }).format(value);
}

export function AttachmentList({ attachments }: { attachments: readonly Attachment[] }) {
  return (
    <ul class="attachments" aria-label="Attachments">
      {attachments.map((a, i) => {
        const url = httpUrl(a.url);
        const size = formatSize(a.size);
        if (url === undefined) {
          return (
            <li key={i}>
              {a.name} ({size})
            </li>
          );
        }
        return (
          <li key={i}>
            {IMAGE.test(a.mime) ? (
              <a href={url} target="_blank" rel="noopener noreferrer">
                <img class="attachment-thumb" src={url} alt={a.name} loading="lazy" />
              </a>
            ) : null}
            <a class="attachment-file" href={url} download={a.name} rel="noopener noreferrer">
              {a.name}
            </a>{' '}
            <span class="muted">({size})</span>
          </li>
        );
      })}
    </ul>
  );
}
