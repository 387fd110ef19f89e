// CSAT after the agent closes: a 1–5 radio group and an optional comment; then thanks and "start again".
import { useEffect, useRef, useState } from 'preact/hooks';
import { useActions, useStore, useT } from '../hooks/use-store.js';

const SCORES = [1, 2, 3, 4, 5] as const;

export function RatingForm() {
  const { t } = useT();
  const { rate, restart } = useActions();
  const state = useStore((s) => s.conversation.rating);
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState('');
  const again = useRef<HTMLButtonElement>(null);
  const isSent = state === 'sent';
  useEffect(() => {
    // The form, and the submit button that had focus, just went away: keep keyboard focus in the panel (but never
    // take it from the host page, e.g. when another tab sent the rating).
    const doc = again.current?.ownerDocument;
    if (isSent && doc && (!doc.activeElement || doc.activeElement === doc.body)) again.current?.focus();
  }, [isSent]);
  if (isSent) {
    return (
      <div class="pc-form">
        <p class="pc-done" role="status">
          {t('rating.thanks')}
        </p>
        <button ref={again} type="button" class="pc-primary" onClick={restart}>
          {t('closed.new')}
        </button>
      </div>
    );
  }
  return (
    <form
      class="pc-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (score) void rate(score, comment);
      }}
    >
      <fieldset class="pc-rating">
        <legend>{t('rating.title')}</legend>
        {SCORES.map((n) => (
          <label key={n} class="pc-star">
            <input type="radio" name="pc-score" value={n} checked={score === n} onChange={() => setScore(n)} />
            <span aria-hidden="true">{n <= score ? '★' : '☆'}</span>
            <span class="pc-sr">{t('rating.score', { score: n })}</span>
          </label>
        ))}
      </fieldset>
      <div class="pc-field">
        <label for="pc-rate-comment">{t('rating.comment')}</label>
        <textarea id="pc-rate-comment" class="pc-input" rows={2} maxLength={1000} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
      </div>
      <div class="pc-actions">
        <button type="button" class="pc-link" onClick={restart}>
          {t('closed.new')}
        </button>
        <button type="submit" class="pc-primary" disabled={!score || state === 'sending'}>
          {t('rating.submit')}
        </button>
      </div>
    </form>
  );
}
