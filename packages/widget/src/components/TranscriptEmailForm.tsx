// After the close, when the server can send e-mail: "Email me the transcript" with the shopper's address (pre-filled
// from the pre-chat form or identify()); a refusal shows in the panel's banner, the confirmation as a status.
import { useState } from 'preact/hooks';
import { useActions, useStore, useT } from '../hooks/use-store.js';
import { Field, isEmail } from './Field.js';

export function TranscriptEmailForm() {
  const { t } = useT();
  const { emailTranscript } = useActions();
  const canEmail = useStore((s) => s.ui.canEmailTranscript);
  const state = useStore((s) => s.conversation.transcriptEmail);
  const known = useStore((s) => s.conversation.profile.email);
  const [email, setEmail] = useState(known ?? '');
  const [error, setError] = useState<string | undefined>();
  if (!canEmail) return null;
  if (state === 'sent') {
    return (
      <p class="pc-done" role="status">
        {t('transcript.sent', { email: email.trim() })}
      </p>
    );
  }
  return (
    <form
      class="pc-form"
      // Our own message, wired to the field, instead of the browser's bubble (which screen readers may miss).
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const problem = isEmail(email) ? undefined : t('form.email');
        setError(problem);
        if (!problem) void emailTranscript(email);
      }}
    >
      <Field id="pc-transcript-email" label={t('transcript.label')} type="email" autoComplete="email" value={email} error={error} onInput={setEmail} />
      <div class="pc-actions">
        <button type="submit" class="pc-primary" disabled={state === 'sending'}>
          {t('transcript.send')}
        </button>
      </div>
    </form>
  );
}
