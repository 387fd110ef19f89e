// The rating after the agent closes, on the site's scale: csat 1–5 stars, ces 1–7 or nps 0–10 numbers, each a native
// radio group in a fieldset; an optional comment; then thanks and "start again".
import { useEffect, useRef, useState } from 'preact/hooks';
import { RATING_SCALE_RANGES, type RatingScale } from '@parley/protocol';
import { useActions, useStore, useT } from '../hooks/use-store.js';
import { TranscriptEmailForm } from './TranscriptEmailForm.js';

export function RatingForm() {
  const { t } = useT();
  const { restart } = useActions();
  const state = useStore((s) => s.conversation.rating);
  const scale = useStore((s) => s.ui.ratingScale);
  const again = useRef<HTMLButtonElement>(null);
  const isSent = state === 'sent';
  useEffect(() => {
    // The form, and the submit button that had focus, just went away: keep keyboard focus in the panel (but never
    // take it from the host page, e.g. when another tab sent the rating).
    const doc = again.current?.ownerDocument;
    if (isSent && doc && (!doc.activeElement || doc.activeElement === doc.body)) again.current?.focus();
  }, [isSent]);
  // TranscriptEmailForm stays at the same place whether the rating is sent or not: moved, it would be mounted anew
  // and lose the address typed (or the one its "sent to" line names).
  return (
    <>
      {isSent ? (
        <div class="pc-form">
          <p class="pc-done" role="status">
            {t('rating.thanks')}
          </p>
          <button ref={again} type="button" class="pc-primary" onClick={restart}>
            {t('closed.new')}
          </button>
        </div>
      ) : (
        // Keyed by scale: when the server says the site rates on another, a score picked on this one must not stay.
        <ScoreForm key={scale} scale={scale} />
      )}
      <TranscriptEmailForm />
    </>
  );
}

function ScoreForm({ scale }: { scale: RatingScale }) {
  const { t } = useT();
  const { rate, restart } = useActions();
  const state = useStore((s) => s.conversation.rating);
  const [min, max] = RATING_SCALE_RANGES[scale];
  const scores = Array.from({ length: max - min + 1 }, (_, i) => min + i);
  const isStars = scale === 'csat';
  // NPS starts at 0, so "nothing chosen" cannot be 0.
  const [score, setScore] = useState(-1);
  const hasScore = score >= min;
  const [comment, setComment] = useState('');
  return (
    <form
      class="pc-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (hasScore) void rate(score, comment);
      }}
    >
      <fieldset class="pc-rating" aria-describedby={isStars ? undefined : 'pc-rate-hint'}>
        <legend>{t(isStars ? 'rating.title' : `rating.title.${scale}`)}</legend>
        {scores.map((n) => (
          <label key={n} class={isStars ? 'pc-star' : 'pc-star pc-num'}>
            <input type="radio" name="pc-score" value={n} checked={score === n} onChange={() => setScore(n)} />
            <span aria-hidden="true">{isStars ? (n <= score ? '★' : '☆') : n}</span>
            <span class="pc-sr">{t('rating.score', { score: n, max })}</span>
          </label>
        ))}
      </fieldset>
      {isStars ? null : (
        <p id="pc-rate-hint" class="pc-meta">
          {t(`rating.hint.${scale}`)}
        </p>
      )}
      <div class="pc-field">
        <label for="pc-rate-comment">{t('rating.comment')}</label>
        <textarea id="pc-rate-comment" class="pc-input" rows={2} maxLength={1000} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
      </div>
      <div class="pc-actions">
        <button type="button" class="pc-link" onClick={restart}>
          {t('closed.new')}
        </button>
        <button type="submit" class="pc-primary" disabled={!hasScore || state === 'sending'}>
          {t('rating.submit')}
        </button>
      </div>
    </form>
  );
}
