// The composer's attach control: a labelled button opening the file picker. Checking the picked files (the
// reason in words when one cannot be sent) and the upload are in the attach chunk, fetched when the button is
// pressed, while the picker is open.
import { useContext, useRef, useState } from 'preact/hooks';
import { AttachContext } from '../hooks/use-chunk.js';
import { useActions, useT } from '../hooks/use-store.js';
import { ATTACH_ACCEPT } from '../store/upload.js';

export function AttachButton() {
  const tr = useT();
  const { t } = tr;
  const { sendFile } = useActions();
  const attach = useContext(AttachContext);
  if (!attach) throw new Error('WIDGET_NOT_MOUNTED: render components inside AttachContext.Provider (mount() does this)');
  const input = useRef<HTMLInputElement>(null);
  const [problem, setProblem] = useState('');
  const onPick = (files: File[]): void => {
    // The same file may be picked again (after a failure): clear the input.
    if (input.current) input.current.value = '';
    if (!files.length) return;
    attach.load().then(
      ({ checkFiles }) => {
        const { accepted, problem } = checkFiles(files, tr);
        accepted.forEach(sendFile);
        setProblem(problem);
      },
      // Reported as WIDGET_LOAD_FAILED by the loader; the shopper may pick again to retry.
      () => setProblem(t('error.generic')),
    );
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
        onChange={(e) => onPick(Array.from(e.currentTarget.files ?? []))}
      />
      <button
        type="button"
        class="pc-attach"
        aria-label={t('composer.attach')}
        title={t('composer.attach')}
        onClick={() => {
          attach.prefetch();
          input.current?.click();
        }}
      >
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
