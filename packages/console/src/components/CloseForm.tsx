// Closing a chat with a reason (resolved / no response / spam / other); after closing, remove it from the list.
import { useState } from 'preact/hooks';
import { CLOSE_REASONS, type CloseReason } from '../format.js';
import { useActions, useStore } from '../hooks/use-store.js';

export function CloseForm({ conversationId }: { conversationId: string }) {
  const { closeChat, dismissChat } = useActions();
  const isClosed = useStore((s) => s.chats[conversationId]?.status === 'closed');
  const [isOpen, setOpen] = useState(false);
  const [reason, setReason] = useState<CloseReason>('resolved');
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
        void closeChat(conversationId, reason).then(() => setOpen(false));
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
      <button type="submit" class="danger">
        Close conversation
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}
