// History and search over past conversations (GET /api/conversations, 50 a page with "Show more"), and one
// conversation in full with its internal notes.
import { useEffect, useState } from 'preact/hooks';
import type { ConversationStatus } from '@parley/protocol';
import { describeReason, describeStatus, formatRating, formatTime } from '../format.js';
import { useActions, useStore } from '../hooks/use-store.js';
import { MessageList } from './MessageList.js';
import { Transcript } from './Transcript.js';
import { VisitorInfo } from './VisitorInfo.js';

const STATUS_OPTIONS: Array<{ value: ConversationStatus | ''; label: string }> = [
  { value: '', label: 'Any status' },
  { value: 'closed', label: describeStatus('closed') },
  { value: 'assigned', label: describeStatus('assigned') },
  { value: 'queued', label: describeStatus('queued') },
  { value: 'offline', label: describeStatus('offline') },
  { value: 'bot', label: describeStatus('bot') },
];

function Detail() {
  const { openHistory } = useActions();
  const selected = useStore((s) => s.history.selected);
  if (selected === undefined) return null;
  const { conversation, messages, notes } = selected;
  const name = conversation.profile.name ?? 'Anonymous visitor';
  return (
    <section class="card history-detail" aria-labelledby="history-detail-title">
      <h2 id="history-detail-title">Conversation with {name}</h2>
      <button type="button" onClick={() => void openHistory(undefined)}>
        Back to results
      </button>
      <p>
        {describeStatus(conversation.status)}
        {conversation.agent === undefined ? '' : ` · ${conversation.agent.name}`}
        {conversation.closeReason === undefined ? '' : ` · closed: ${conversation.closeReason.replace('_', ' ')}`}
        {conversation.rating === undefined ? '' : ` · rated ${formatRating(conversation.rating.score, conversation.rating.scale)}`}
      </p>
      {conversation.rating?.comment !== undefined && <p>Comment: “{conversation.rating.comment}”</p>}
      <h3>Visitor</h3>
      <VisitorInfo visitor={conversation.profile} pages={conversation.pages} />
      <h3>Why they asked for a person</h3>
      <p>{describeReason(conversation.escalationReason)}</p>
      <h3>Self-service transcript</h3>
      <Transcript items={conversation.transcript} />
      <h3>Messages</h3>
      <MessageList messages={messages} label={`Messages with ${name}`} visitorName={conversation.profile.name} {...(notes === undefined ? {} : { notes })} />
    </section>
  );
}

export function HistoryScreen() {
  const { searchHistory, openHistory, loadMoreHistory } = useActions();
  const history = useStore((s) => s.history);
  const [q, setQ] = useState(history.q);
  const [status, setStatus] = useState<ConversationStatus | ''>(history.status);
  useEffect(() => {
    void searchHistory({ q: history.q, status: history.status });
  }, []);
  return (
    <section aria-labelledby="history-title">
      <h1 id="history-title">History</h1>
      <form
        role="search"
        class="search-form"
        onSubmit={(e) => {
          e.preventDefault();
          void searchHistory({ q, status });
        }}
      >
        <div class="field">
          <label for="history-q">Search visitor name, e-mail or message text</label>
          <input id="history-q" type="search" maxLength={200} value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="history-status">Status</label>
          <select id="history-status" value={status} onChange={(e) => setStatus(e.currentTarget.value as ConversationStatus | '')}>
            {STATUS_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="primary">
          Search
        </button>
      </form>
      {history.error !== undefined && (
        <p class="error" role="alert">
          {history.error}
        </p>
      )}
      <Detail />
      <h2>Results</h2>
      <p class="muted" aria-live="polite">
        {history.isLoading ? 'Searching…' : `${history.results.length} conversation${history.results.length === 1 ? '' : 's'}`}
      </p>
      <ul class="history-list">
        {history.results.map((c) => (
          <li key={c.id} class="card">
            <h3>
              <button type="button" class="link" onClick={() => void openHistory(c.id)}>
                {c.profile.name ?? 'Anonymous visitor'}
                {c.profile.email === undefined ? '' : ` <${c.profile.email}>`}
              </button>
            </h3>
            <p class="muted">
              <time dateTime={new Date(c.createdAt).toISOString()}>{formatTime(c.createdAt)}</time> · {describeStatus(c.status)}
              {c.agent === undefined ? '' : ` · ${c.agent.name}`}
              {c.rating === undefined ? '' : ` · rated ${formatRating(c.rating, c.ratingScale)}`}
            </p>
            {c.lastMessage !== undefined && <p class="preview">{c.lastMessage.text}</p>}
          </li>
        ))}
      </ul>
      {history.hasMore === true && (
        <button type="button" disabled={history.isLoading} onClick={() => void loadMoreHistory()}>
          Show more
        </button>
      )}
    </section>
  );
}
