// Handing a chat on: to an online colleague with free capacity, or back to the queue. The list of colleagues is
// loaded when the form opens (GET /api/agents) and refreshed while it stays open, so it shows who is connected now.
import { useEffect, useState } from 'preact/hooks';
import { useActions, useStore } from '../hooks/use-store.js';

const QUEUE = '';

export function TransferForm({ conversationId }: { conversationId: string }) {
  const { loadAgents, transferChat } = useActions();
  const me = useStore((s) => s.auth.agent?.id);
  const agents = useStore((s) => s.agents);
  const [isOpen, setOpen] = useState(false);
  const [target, setTarget] = useState(QUEUE);
  const [isSending, setSending] = useState(false);
  const selectId = `transfer-${conversationId}`;
  useEffect(() => {
    if (!isOpen) return;
    const timer = setInterval(() => void loadAgents(), 3000);
    return () => clearInterval(timer);
  }, [isOpen, loadAgents]);
  if (!isOpen) {
    return (
      <div class="close-bar">
        <button
          type="button"
          onClick={() => {
            setOpen(true);
            setTarget(QUEUE);
            void loadAgents();
          }}
        >
          Transfer…
        </button>
      </div>
    );
  }
  const colleagues = agents.list.filter((a) => a.id !== me);
  return (
    <form
      class="transfer-form"
      onSubmit={(e) => {
        e.preventDefault();
        setSending(true);
        void transferChat(conversationId, target === QUEUE ? undefined : target).finally(() => {
          setSending(false);
          setOpen(false);
        });
      }}
    >
      <div class="field">
        <label for={selectId}>Transfer to</label>
        <select id={selectId} value={target} onChange={(e) => setTarget(e.currentTarget.value)}>
          <option value={QUEUE}>Back to the queue</option>
          {colleagues.map((a) => {
            const isFull = a.activeCount >= a.capacity;
            return (
              <option key={a.id} value={a.id} disabled={a.availability !== 'online' || isFull}>
                {a.name} — {a.availability}, {a.activeCount} of {a.capacity} chats{isFull ? ' (full)' : ''}
              </option>
            );
          })}
        </select>
      </div>
      {agents.isLoading && <p class="muted">Loading colleagues…</p>}
      {agents.error !== undefined && <p role="alert">Could not load colleagues: {agents.error}</p>}
      {!agents.isLoading && agents.error === undefined && colleagues.length === 0 && <p class="muted">No colleague is connected; you can send the chat back to the queue.</p>}
      <button type="submit" class="primary" disabled={isSending}>
        Transfer
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}
