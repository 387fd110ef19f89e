// Closing a chat with a reason (resolved / no response / spam / other, plus free text, required for other); after
// closing, remove it from the list.
import { useState } from 'preact/hooks';
import { CLOSE_REASONS, type CloseReason } from '../format.js';
import { useActions, useStore } from '../hooks/use-store.js';

export function CloseForm({ conversationId }: { conversationId: string }) {
  const { closeChat, dismissChat } = useActions();
  const isClosed = useStore((s) => s.chats[conversationId]?.status === 'closed');
  const [isOpen, setOpen] = useState(false);
  const [reason, setReason] = useState<CloseReason>('resolved');
  const [detail, setDetail] = useState('');
  const detailId = `close-detail-${conversationId}`;
  if (isClosed) {
    return (
      <div class="close-bar">
        <p>This conversation is closed.</p>
        <button type="button" onClick={() => dismissChat(conversationId)}>
          Remove from my chats
        </button>
      </div>
    );
  }
  if (!isOpen) {
    return (
      <div class="close-bar">
        <button type="button" onClick={() => setOpen(true)}>
          Close conversation…
        </button>
      </div>
    );
  }
  return (
    <form
      class="close-form"
      onSubmit={(e) => {
        e.preventDefault();
        void closeChat(conversationId, reason, detail).then(() => setOpen(false));
      }}
    >
      <fieldset>
        <legend>Why are you closing it?</legend>
        {CLOSE_REASONS.map((r) => (
          <div class="radio" key={r.value}>
            <input
              type="radio"
              id={`close-${conversationId}-${r.value}`}
              name={`close-${conversationId}`}
              value={r.value}
              checked={reason === r.value}
              onChange={() => setReason(r.value)}
            />
            <label for={`close-${conversationId}-${r.value}`}>{r.label}</label>
          </div>
        ))}
      </fieldset>
      <div class="field">
        <label for={detailId}>{reason === 'other' ? 'What happened? (required)' : 'Details (optional)'}</label>
        <input id={detailId} type="text" maxLength={400} value={detail} required={reason === 'other'} onInput={(e) => setDetail(e.currentTarget.value)} />
      </div>
      <button type="submit" class="danger" disabled={reason === 'other' && detail.trim() === ''}>
        Close conversation
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}
