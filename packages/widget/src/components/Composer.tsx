// The message box: Enter sends, Shift+Enter breaks the line; the escalation button stays visible while self-serving.
import { useContext, useState } from 'preact/hooks';
import { FormsContext } from '../hooks/use-chunk.js';
import { useActions, useStore, useT } from '../hooks/use-store.js';
import { AttachButton } from './AttachButton.js';

/** Focuses the message box from a control that is about to disappear, so keyboard focus never drops to <body>. */
export const focusInput = (from: Element): void => (from.getRootNode() as ShadowRoot | Document).getElementById('pc-input')?.focus();

export function Composer() {
  const { t } = useT();
  const { ask, typing, escalate } = useActions();
  const status = useStore((s) => s.conversation.status);
  const isSiteClosed = useStore((s) => s.ui.isSiteOpen === false);
  const [text, setText] = useState('');
  // Once the shopper writes (after the first open), the forms a chat may end in are fetched in the background.
  const forms = useContext(FormsContext);
  const isDisabled = status === 'connecting';
  const submit = (e?: Event): void => {
    e?.preventDefault();
    if (!text.trim() || isDisabled) return;
    forms?.prefetch();
    void ask(text);
    setText('');
  };
  return (
    <form class="pc-composer" onSubmit={submit}>
      {status === 'bot' ? (
        <button
          type="button"
          class="pc-escalate"
          onClick={(e) => {
            // This button goes away with the hand-off: keep keyboard focus in the panel, on the message box.
            focusInput(e.currentTarget);
            forms?.prefetch();
            void escalate('requested');
          }}
        >
          {t('escalate.button')}
        </button>
      ) : null}
      {status === 'bot' && isSiteClosed ? <p class="pc-meta">{t('hours.closed')}</p> : null}
      <div class="pc-row">
        <label class="pc-sr" for="pc-input">
          {t('composer.label')}
        </label>
        <textarea
          id="pc-input"
          class="pc-input"
          rows={1}
          maxLength={4000}
          placeholder={t('composer.placeholder')}
          value={text}
          onInput={(e) => {
            setText(e.currentTarget.value);
            typing();
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) submit(e);
          }}
        />
        {/* Files go to a person: not while the FAQ answers. */}
        {status === 'queued' || status === 'assigned' ? <AttachButton /> : null}
        <button type="submit" class="pc-send" disabled={isDisabled}>
          {t('composer.send')}
        </button>
      </div>
    </form>
  );
}
