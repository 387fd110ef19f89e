// A message's files: images as thumbnails of the served file, others as chips with name and size. Names are text
// nodes; only http(s) URLs become src/href.
import type { Attachment } from '@parley/protocol';
import { useT } from '../hooks/use-store.js';
import { safeImageSrc } from '../linkify.js';

const IMAGE = /^image\/(png|jpeg|gif|webp)$/;

/** `2 400 000` → "2.3 MB" in the shopper's locale. */
export function formatBytes(bytes: number, locale: string): string {
  const [value, unit] = bytes >= 1024 * 1024 ? [bytes / (1024 * 1024), 'megabyte'] : [Math.max(bytes, 1) / 1024, 'kilobyte'];
  return new Intl.NumberFormat(locale, { style: 'unit', unit, maximumFractionDigits: 1 }).format(value);
}

export function AttachmentList({ items }: { items: Attachment[] }) {
  const { locale } = useT();
  return (
    <ul class="pc-files">
      {items.map((a, i) => {
        const url = safeImageSrc(a.url);
        return (
          <li key={`${i}-${a.url}`}>
            {url && IMAGE.test(a.mime) ? (
              <a href={url} target="_blank" rel="noopener noreferrer">
                <img class="pc-thumb" src={url} alt={a.name} loading="lazy" />
              </a>
            ) : (
              <a class="pc-file" {...(url ? { href: url, download: a.name, rel: 'noopener noreferrer' } : {})}>
                <span class="pc-file-name">{a.name}</span> <span class="pc-file-size">{formatBytes(a.size, locale)}</span>
              </a>
            )}
          </li>
        );
      })}
    </ul>
  );
}
