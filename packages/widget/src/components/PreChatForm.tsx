// Optional pre-chat form (name, email) shown before the hand-off; fields come from config.
import { useState } from 'preact/hooks';
import { useActions, useStore, useT } from '../hooks/use-store.js';
import type { PreChatField } from '../embed-api.js';
import { Field, isEmail } from './Field.js';

export function PreChatForm({ fields }: { fields: PreChatField[] }) {
  const { t } = useT();
  const { submitPreChat, setView } = useActions();
  const profile = useStore((s) => s.conversation.profile);
  const [values, setValues] = useState({ name: profile.name ?? '', email: profile.email ?? '' });
  const [errors, setErrors] = useState<Partial<Record<PreChatField, string>>>({});
  const submit = (e: Event): void => {
    e.preventDefault();
    const next: Partial<Record<PreChatField, string>> = {};
    for (const f of fields) if (!values[f].trim()) next[f] = t('form.required');
    if (fields.includes('email') && values.email.trim() && !isEmail(values.email)) next.email = t('form.email');
    setErrors(next);
    if (Object.keys(next).length) return;
    const profileUpdate: { name?: string; email?: string } = {};
    for (const f of fields) profileUpdate[f] = values[f].trim();
    void submitPreChat(profileUpdate);
  };
  return (
    <form class="pc-form" onSubmit={submit} noValidate aria-labelledby="pc-prechat-title">
      <h3 id="pc-prechat-title">{t('prechat.title')}</h3>
      {fields.map((f) => (
        <Field
          key={f}
          id={`pc-pre-${f}`}
          label={t(`prechat.${f}`)}
          type={f === 'email' ? 'email' : 'text'}
          autoComplete={f === 'email' ? 'email' : 'name'}
          value={values[f]}
          error={errors[f]}
          onInput={(v) => setValues({ ...values, [f]: v })}
        />
      ))}
      <div class="pc-actions">
        <button type="button" class="pc-link" onClick={() => setView('chat')}>
          {t('panel.back')}
        </button>
        <button type="submit" class="pc-primary">
          {t('prechat.submit')}
        </button>
      </div>
    </form>
  );
}
