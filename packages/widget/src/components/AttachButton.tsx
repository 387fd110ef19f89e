// The composer's attach control: a labelled button opening the file picker, a check before any upload, and the
// reason in words when a file cannot be sent.
import { useRef, useState } from 'preact/hooks';
import { useActions, useT } from '../hooks/use-store.js';
import { ATTACH_ACCEPT, MAX_ATTACH_BYTES, refuseFile } from '../store/upload.js';
import { formatBytes } from './AttachmentList.js';

export function AttachButton() {
  const { t, locale } = useT();
  const { sendFile } = useActions();
  const input = useRef<HTMLInputElement>(null);
  const [problem, setProblem] = useState('');
  const onPick = (files: FileList | null): void => {
    const problems: string[] = [];
    for (const file of Array.from(files ?? [])) {
      const why = refuseFile(file);
      if (why) problems.push(t(why, { name: file.name, max: formatBytes(MAX_ATTACH_BYTES, locale) }));
      else sendFile(file);
    }
    setProblem(problems.join(' '));
    // The same file may be picked again (after a failure): clear the input.
    if (input.current) input.current.value = '';
  };
  return (
    <>
      <input
        ref={input}
        id="pc-file"
        class="pc-sr"
        type="file"
        multiple
        accept={ATTACH_ACCEPT}
        tabIndex={-1}
        aria-hidden="true"
        onChange={(e) => onPick(e.currentTarget.files)}
      />
      <button type="button" class="pc-attach" aria-label={t('composer.attach')} title={t('composer.attach')} onClick={() => input.current?.click()}>
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
          <path d="M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z" />
        </svg>
      </button>
      {problem ? (
        <p class="pc-error pc-attach-error" role="alert">
          {problem}
        </p>
      ) : null}
    </>
  );
}
