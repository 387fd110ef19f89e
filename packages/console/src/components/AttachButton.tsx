// "Attach a file" in the agent composer: a labelled file input (keyboard-operable as is); each picked file is
// uploaded with the session token and sent to the visitor. Failures come back as the store's notice.
import { useRef, useState } from 'preact/hooks';
import { useActions } from '../hooks/use-store.js';

export function AttachButton({ conversationId }: { conversationId: string }) {
  const { sendAttachment } = useActions();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(0);
  const id = `attach-${conversationId}`;
  return (
    <div class="attach">
      <label for={id}>Attach a file</label>
      <input
        id={id}
        ref={input}
        type="file"
        multiple
        accept="image/png,image/jpeg,image/gif,image/webp,application/pdf,application/zip,text/plain,text/csv,.txt,.csv,.zip"
        onChange={(e) => {
          const files = Array.from(e.currentTarget.files ?? []);
          e.currentTarget.value = '';
          setBusy((n) => n + files.length);
          for (const file of files) void sendAttachment(conversationId, file).finally(() => setBusy((n) => n - 1));
        }}
      />
      {busy > 0 ? <span role="status">Uploading…</span> : null}
    </div>
  );
}
