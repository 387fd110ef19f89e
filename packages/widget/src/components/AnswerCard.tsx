// A FAQ answer with "Did this help?" and, on the latest answer, related questions as quick replies.
import { useActions, useT } from '../hooks/use-store.js';
import type { TimelineItem } from '../store/types.js';
import { focusInput } from './Composer.js';
import { MessageText } from './MessageText.js';

type AnswerItem = Extract<TimelineItem, { kind: 'answer' }>;

export function AnswerCard({ item, isLatest }: { item: AnswerItem; isLatest: boolean }) {
  const { t } = useT();
  const { feedback, pickSuggestion } = useActions();
  const feedbackLabel = `pc-fb-${item.id}`;
  return (
    <div class="pc-msg pc-theirs pc-answer" data-entry={item.entryId}>
      <div class="pc-bubble">
        <span class="pc-author">{t('author.bot')}</span>
        <MessageText text={item.text} />
        {item.link ? (
          <a class="pc-more" href={item.link} target="_blank" rel="noopener noreferrer">
            {t('faq.more')}
          </a>
        ) : null}
        {/* The buttons stay after a click (pressed, inert) so keyboard focus is never dropped on the floor. */}
        <div class="pc-feedback" role="group" aria-labelledby={feedbackLabel}>
          <span id={feedbackLabel}>{t('faq.helpful')}</span>
          {([true, false] as const).map((isYes) => (
            <button
              key={String(isYes)}
              type="button"
              class="pc-chip"
              aria-pressed={item.helpful === isYes}
              aria-disabled={item.helpful !== undefined}
              onClick={() => feedback(item.id, isYes)}
            >
              {t(isYes ? 'faq.yes' : 'faq.no')}
            </button>
          ))}
          <span role="status">{item.helpful !== undefined ? t('faq.thanks') : ''}</span>
        </div>
      </div>
      {isLatest && item.suggestions.length ? (
        <div class="pc-suggestions" role="group" aria-label={t('faq.related')}>
          <span class="pc-meta">{t('faq.related')}</span>
          {item.suggestions.map((s) => (
            <button
              key={s.id}
              type="button"
              class="pc-chip"
              onClick={(e) => {
                // The chips belong to the latest answer and go away with the new one: keep focus on the message box.
                focusInput(e.currentTarget);
                pickSuggestion(s);
              }}
            >
              {s.question}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
