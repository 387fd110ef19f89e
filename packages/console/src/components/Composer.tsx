// The reply box: Enter sends (Shift+Enter for a new line), `/shortcut` + Space/Tab/Enter expands a canned
// response, matching shortcuts are offered as buttons. Typing is reported by the store action. "Internal note"
// turns the box into a note for agents only: it goes out as `note.add`, and no typing is shown to the visitor.
// Quick replies added below go out with the next message of this chat; like the draft they live in the store per
// chat, because this component is reused when the agent switches chats.
import { useRef, useState } from 'preact/hooks';
import { expandShortcut, matchShortcuts } from '../canned.js';
import { useActions, useStore } from '../hooks/use-store.js';
import { AttachButton } from './AttachButton.js';
import { QuickReplyEditor } from './QuickReplyEditor.js';

// One shared empty list, so the selector returns the same value when a chat has none.
const NO_REPLIES: string[] = [];

export function Composer({ conversationId, visitorName }: { conversationId: string; visitorName: string }) {
  const { setDraft, setQuickReplies, sendMessage, addNote } = useActions();
  const [isNote, setNote] = useState(false);
  const draft = useStore((s) => s.chats[conversationId]?.draft ?? '');
  const quickReplies = useStore((s) => s.chats[conversationId]?.quickReplies ?? NO_REPLIES);
  const canned = useStore((s) => s.canned);
  const input = useRef<HTMLTextAreaElement>(null);
  const hints = matchShortcuts(draft, canned);
  const inputId = `composer-${conversationId}`;
  const hintId = `composer-hint-${conversationId}`;
  const noteId = `composer-note-${conversationId}`;
  const edit = (text: string) => setDraft(conversationId, text, { isNote });
  const submit = (text: string) => {
    if (isNote) return void addNote(conversationId, text);
    if (text.trim() === '') return;
    sendMessage(conversationId, text, quickReplies);
  };

  const insert = (text: string) => {
    edit(text);
    input.current?.focus();
  };

  return (
    <form
      class={isNote ? 'composer composer-note' : 'composer'}
      onSubmit={(e) => {
        e.preventDefault();
        submit(draft);
      }}
    >
      <div class="note-toggle">
        <input
          id={noteId}
          type="checkbox"
          checked={isNote}
          onChange={(e) => {
            setNote(e.currentTarget.checked);
            // Switching to a note must not leave "typing…" showing on the visitor's side.
            if (e.currentTarget.checked) setDraft(conversationId, draft, { isNote: true });
          }}
        />
        <label for={noteId}>Internal note (only agents see it)</label>
      </div>
      <label for={inputId}>{isNote ? `Note about ${visitorName}` : `Reply to ${visitorName}`}</label>
      <textarea
        id={inputId}
        ref={input}
        rows={3}
        maxLength={4000}
        value={draft}
        aria-describedby={hintId}
        onInput={(e) => edit(e.currentTarget.value)}
        onKeyDown={(e) => {
          const isExpandKey = e.key === ' ' || e.key === 'Tab' || (e.key === 'Enter' && !e.shiftKey);
          if (!isExpandKey) return;
          const expanded = expandShortcut(e.currentTarget.value, canned);
          if (expanded !== undefined) {
            e.preventDefault();
            edit(e.key === ' ' ? `${expanded} ` : expanded);
            return;
          }
          if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            submit(e.currentTarget.value);
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
      {/* Files go to the visitor: not offered for a note. */}
      {isNote ? null : <AttachButton conversationId={conversationId} />}
      {isNote ? null : <QuickReplyEditor id={`composer-quick-${conversationId}`} replies={quickReplies} onChange={(replies) => setQuickReplies(conversationId, replies)} />}
      <button type="submit" class="primary" disabled={draft.trim() === ''}>
        {isNote ? 'Add note' : 'Send'}
      </button>
    </form>
  );
}
