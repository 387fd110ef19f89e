// "Leave a message" when escalation answers `offline`: email + message, then a confirmation.
import { useState } from 'preact/hooks';
import { useActions, useStore, useT } from '../hooks/use-store.js';
import { Field, isEmail } from './Field.js';

export function LeaveMessageForm() {
  const { t } = useT();
  const { leaveMessage } = useActions();
  const state = useStore((s) => s.conversation.offline);
  const knownEmail = useStore((s) => s.conversation.profile.email);
  const [email, setEmail] = useState(knownEmail ?? '');
  const [text, setText] = useState('');
  const [errors, setErrors] = useState<{ email?: string; text?: string }>({});
  if (state === 'sent') {
    return (
      <p class="pc-done" role="status">
        {t('offline.sent')}
      </p>
    );
  }
  const submit = (e: Event): void => {
    e.preventDefault();
    const next = {
      email: !email.trim() ? t('form.required') : isEmail(email) ? undefined : t('form.email'),
      text: text.trim() ? undefined : t('form.required'),
    };
    setErrors(next);
    if (next.email || next.text) return;
    void leaveMessage(email.trim(), text);
  };
  return (
    <form class="pc-form" onSubmit={submit} noValidate aria-labelledby="pc-offline-title">
      <h3 id="pc-offline-title">{t('offline.title')}</h3>
      <p>{t('offline.body')}</p>
      <Field id="pc-off-email" label={t('prechat.email')} type="email" autoComplete="email" value={email} error={errors.email} onInput={setEmail} />
      <Field id="pc-off-text" label={t('offline.message')} isMultiline value={text} error={errors.text} onInput={setText} />
      <div class="pc-actions">
        <button type="submit" class="pc-primary" disabled={state === 'sending'}>
          {t('offline.submit')}
        </button>
      </div>
    </form>
  );
}
