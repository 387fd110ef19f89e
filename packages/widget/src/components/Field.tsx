// A labelled input with its error message wired through aria-invalid and aria-describedby.

export function Field(props: {
  id: string;
  label: string;
  type?: 'text' | 'email';
  value: string;
  error?: string;
  isMultiline?: boolean;
  autoComplete?: 'email' | 'name';
  onInput: (value: string) => void;
}) {
  const errorId = `${props.id}-err`;
  const common = {
    id: props.id,
    class: 'pc-input',
    value: props.value,
    'aria-invalid': props.error ? ('true' as const) : undefined,
    'aria-describedby': props.error ? errorId : undefined,
    onInput: (e: Event) => props.onInput((e.currentTarget as HTMLInputElement).value),
  };
  return (
    <div class="pc-field">
      <label for={props.id}>{props.label}</label>
      {props.isMultiline ? (
        <textarea {...common} rows={3} maxLength={4000} />
      ) : (
        <input {...common} {...({ type: props.type ?? 'text', autocomplete: props.autoComplete } as { type: 'email' })} maxLength={200} />
      )}
      {props.error ? (
        <p id={errorId} class="pc-error">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

// Deliberately loose: the server and the agent's mail client are the real judges.
export const isEmail = (s: string): boolean => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s.trim());
