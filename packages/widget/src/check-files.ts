// Files the shopper picked → those that may be sent, and the reasons (in words) for the others.
import type { Translator } from './i18n/t.js';
import { MAX_ATTACH_BYTES, refuseFile } from './store/upload.js';
import { formatBytes } from './components/AttachmentList.js';

export function checkFiles(files: File[], { t, locale }: Pick<Translator, 't' | 'locale'>): { accepted: File[]; problem: string } {
  const accepted: File[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const why = refuseFile(file);
    if (why) problems.push(t(why, { name: file.name, max: formatBytes(MAX_ATTACH_BYTES, locale) }));
    else accepted.push(file);
  }
  return { accepted, problem: problems.join(' ') };
}
