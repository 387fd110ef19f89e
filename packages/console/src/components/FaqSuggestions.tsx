// FAQ answers that may fit the visitor's last message; "Use" copies one into the composer for editing.
import { useMemo } from 'preact/hooks';
import { useActions, useStore } from '../hooks/use-store.js';
import { findLastOf } from '../last-of.js';

export function FaqSuggestions({ conversationId }: { conversationId: string }) {
  const { setDraft } = useActions();
  const suggest = useStore((s) => s.suggest);
  const lastVisitorText = useStore((s) => findLastOf(s.chats[conversationId]?.messages ?? [], (m) => m.author.role === 'visitor' && m.kind === 'text')?.text);
  const suggestions = useMemo(() => (suggest === undefined || lastVisitorText === undefined ? [] : suggest(lastVisitorText)), [suggest, lastVisitorText]);
  if (suggestions.length === 0) return null;
  return (
    <section class="suggestions" aria-labelledby={`sugg-${conversationId}`}>
      <h3 id={`sugg-${conversationId}`}>Suggested from the FAQ</h3>
      <ul>
        {suggestions.map((s) => (
          <li key={s.entryId}>
            <p>
              <strong>{s.question}</strong> <span class="muted">({Math.round(s.score * 100)}% match)</span>
            </p>
            <p class="suggestion-answer">{s.answer}</p>
            <button type="button" onClick={() => setDraft(conversationId, s.answer)} aria-label={`Use the answer to “${s.question}”`}>
              Use
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
