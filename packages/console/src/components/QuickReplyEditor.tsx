// The agent's list of quick replies for the next message: add with Enter or the button, remove each; bounded like
// the protocol (count and length) so the server never has to refuse it.
import { useState } from 'preact/hooks';
import { DEFAULT_LIMITS } from '@parley/protocol';

export interface QuickReplyEditorProps {
  id: string;
  replies: string[];
  onChange(replies: string[]): void;
}

export function QuickReplyEditor({ id, replies, onChange }: QuickReplyEditorProps) {
  const [draft, setDraft] = useState('');
  const text = draft.trim();
  const isFull = replies.length >= DEFAULT_LIMITS.maxQuickReplies;
  const canAdd = text !== '' && !isFull && !replies.includes(text);
  const add = () => {
    if (!canAdd) return;
    onChange([...replies, text]);
    setDraft('');
  };
  return (
    <fieldset class="quick-replies">
      <legend>Quick replies (buttons the visitor can choose)</legend>
      {replies.length > 0 && (
        <ul class="canned-hints" aria-label="Quick replies to send">
          {replies.map((r) => (
            <li key={r}>
              {r}{' '}
              <button type="button" aria-label={`Remove quick reply ${r}`} onClick={() => onChange(replies.filter((x) => x !== r))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <label for={id}>New quick reply</label>
      <input
        id={id}
        type="text"
        maxLength={DEFAULT_LIMITS.maxQuickReplyLength}
        value={draft}
        disabled={isFull}
        onInput={(e) => setDraft(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key !== 'Enter') return;
          // Enter here adds the reply; it must not send the message.
          e.preventDefault();
          add();
        }}
      />
      <button type="button" disabled={!canAdd} onClick={add}>
        Add quick reply
      </button>
    </fieldset>
  );
}
