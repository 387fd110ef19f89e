// The agent's quick replies under the latest message: one button each; choosing one sends its text as the shopper's.
import { useActions, useT } from '../hooks/use-store.js';
import { focusInput } from './Composer.js';

export function QuickReplies({ options }: { options: string[] }) {
  const { t } = useT();
  const { send } = useActions();
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
            void send(text);
          }}
        >
          {text}
        </button>
      ))}
    </div>
  );
}
