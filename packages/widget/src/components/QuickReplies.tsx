// Quick replies under the latest item (an agent's message or a FAQ answer): one button each; choosing one says its
// text as the shopper's (a chat message with a person, the next question while self-serving).
import { useActions, useT } from '../hooks/use-store.js';
import { focusInput } from './Composer.js';

export function QuickReplies({ options }: { options: string[] }) {
  const { t } = useT();
  const { ask } = useActions();
  return (
    <div class="pc-feedback" role="group" aria-label={t('quick.label')}>
      {options.map((text) => (
        <button
          key={text}
          type="button"
          class="pc-chip"
          onClick={(e) => {
            // The buttons go away once the shopper's message is the latest: keep keyboard focus on the message box.
            focusInput(e.currentTarget);
            void ask(text);
          }}
        >
          {text}
        </button>
      ))}
    </div>
  );
}
