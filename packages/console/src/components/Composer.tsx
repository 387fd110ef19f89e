// The reply box: Enter sends (Shift+Enter for a new line), `/shortcut` + Space/Tab/Enter expands a canned
// response, matching shortcuts are offered as buttons. Typing is reported by the store action.
import { useRef } from 'preact/hooks';
import { expandShortcut, matchShortcuts } from '../canned.js';
import { useActions, useStore } from '../hooks/use-store.js';

export function Composer({ conversationId, visitorName }: { conversationId: string; visitorName: string }) {
  const { setDraft, sendMessage } = useActions();
  const draft = useStore((s) => s.chats[conversationId]?.draft ?? '');
  const canned = useStore((s) => s.canned);
  const input = useRef<HTMLTextAreaElement>(null);
  const hints = matchShortcuts(draft, canned);
  const inputId = `composer-${conversationId}`;
  const hintId = `composer-hint-${conversationId}`;

  const insert = (text: string) => {
    setDraft(conversationId, text);
    input.current?.focus();
  };

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        sendMessage(conversationId, draft);
      }}
    >
      <label for={inputId}>Reply to {visitorName}</label>
      <textarea
        id={inputId}
        ref={input}
        rows={3}
        maxLength={4000}
        value={draft}
        aria-describedby={hintId}
        onInput={(e) => setDraft(conversationId, e.currentTarget.value)}
        onKeyDown={(e) => {
          const isExpandKey = e.key === ' ' || e.key === 'Tab' || (e.key === 'Enter' && !e.shiftKey);
          if (!isExpandKey) return;
          const expanded = expandShortcut(e.currentTarget.value, canned);
          if (expanded !== undefined) {
            e.preventDefault();
            setDraft(conversationId, e.key === ' ' ? `${expanded} ` : expanded);
            return;
          }
          if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            sendMessage(conversationId, e.currentTarget.value);
          }
        }}
      />
      <p id={hintId} class="hint">
        Enter sends, Shift+Enter adds a line. Type / and a shortcut (e.g. /{canned[0]?.shortcut ?? 'thanks'}) then Space to insert a canned response.
      </p>
      {hints.length > 0 && (
        <ul class="canned-hints" aria-label="Matching canned responses">
          {hints.map((c) => (
            <li key={c.shortcut}>
              <button type="button" onClick={() => insert(expandShortcut(draft.replace(/\/[^\s/]*$/, `/${c.shortcut}`), canned) ?? draft)}>
                /{c.shortcut}
              </button>
            </li>
          ))}
        </ul>
      )}
      <button type="submit" class="primary" disabled={draft.trim() === ''}>
        Send
      </button>
    </form>
  );
}
