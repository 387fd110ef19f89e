// Waiting visitors, oldest first: live waiting time, escalation reason, identity, pages, transcript, what they
// wrote since, Accept. Below them, the messages left while nobody was online, each answered with Accept.
import type { Message, QueueEntry } from '@parley/protocol';
import type { ConversationSummary } from '@parley/server';
import { describeReason, formatTime, formatWaiting } from '../format.js';
import { useActions, useNow, useStore } from '../hooks/use-store.js';
import { MessageText } from './MessageText.js';
import { Transcript } from './Transcript.js';
import { VisitorInfo } from './VisitorInfo.js';

function QueueCard({ entry, now }: { entry: QueueEntry; now: number }) {
  const { accept } = useActions();
  const acceptingId = useStore((s) => s.acceptingId);
  const left = useStore((s) => s.queueMessages[entry.conversationId]);
  const name = entry.visitor.name ?? 'Anonymous visitor';
  const headingId = `queue-${entry.conversationId}`;
  return (
    <li>
      <article class="card queue-card" aria-labelledby={headingId}>
        <div class="card-head">
          <h2 id={headingId}>
            {entry.position}. {name}
          </h2>
          <p class="waiting">
            Waiting <strong>{formatWaiting(now - entry.waitingSince)}</strong>
          </p>
        </div>
        <p class="reason">
          <span class="muted">Why: </span>
          {describeReason(entry.reason)}
        </p>
        <VisitorInfo visitor={entry.visitor} />
        <h3>Self-service transcript</h3>
        <Transcript items={entry.transcript} />
        {left !== undefined && (
          <>
            <h3>Left while waiting</h3>
            <LeftMessages messages={left} />
          </>
        )}
        <button
          type="button"
          class="primary"
          disabled={acceptingId !== undefined}
          aria-describedby={headingId}
          onClick={() => void accept(entry.conversationId)}
        >
          {acceptingId === entry.conversationId ? 'Accepting…' : 'Accept'}
        </button>
      </article>
    </li>
  );
}

function LeftMessages({ messages }: { messages: readonly Message[] }) {
  return (
    <ol class="queue-messages">
      {messages.map((m) => (
        <li key={m.seq}>
          <time dateTime={new Date(m.at).toISOString()}>{formatTime(m.at)}</time>
          <MessageText text={m.text} />
        </li>
      ))}
    </ol>
  );
}

function OfflineCard({ conversation }: { conversation: ConversationSummary }) {
  const { accept } = useActions();
  const acceptingId = useStore((s) => s.acceptingId);
  const left = useStore((s) => s.queueMessages[conversation.id]);
  const name = conversation.profile.name ?? 'Anonymous visitor';
  const headingId = `offline-${conversation.id}`;
  return (
    <li>
      <article class="card queue-card offline-card" aria-labelledby={headingId}>
        <div class="card-head">
          <h3 id={headingId}>{name}</h3>
          <p class="waiting">
            Since <time dateTime={new Date(conversation.createdAt).toISOString()}>{formatTime(conversation.createdAt)}</time>
          </p>
        </div>
        <p class="reason">
          <span class="muted">Why: </span>
          {describeReason(conversation.escalationReason)}
        </p>
        <VisitorInfo visitor={conversation.profile} />
        <h4>Their message</h4>
        {left === undefined ? <p class="muted">No message text (they only asked for a person).</p> : <LeftMessages messages={left} />}
        <button type="button" class="primary" disabled={acceptingId !== undefined} aria-describedby={headingId} onClick={() => void accept(conversation.id)}>
          {acceptingId === conversation.id ? 'Opening…' : 'Accept and reply'}
        </button>
      </article>
    </li>
  );
}

function OfflineMessages() {
  const offline = useStore((s) => s.offline);
  if (offline.length === 0) return null;
  return (
    <section class="offline" aria-labelledby="offline-title">
      <h2 id="offline-title">Left while nobody was online ({offline.length})</h2>
      <ul class="queue-list">
        {offline.map((c) => (
          <OfflineCard key={c.id} conversation={c} />
        ))}
      </ul>
    </section>
  );
}

export function QueueScreen() {
  const queue = useStore((s) => s.queue);
  const now = useNow(1000);
  return (
    <section aria-labelledby="queue-title">
      <h1 id="queue-title">Queue ({queue.length} waiting)</h1>
      {queue.length === 0 ? (
        <p class="muted">Nobody is waiting. New visitors appear here.</p>
      ) : (
        <ol class="queue-list">
          {queue.map((entry) => (
            <QueueCard key={entry.conversationId} entry={entry} now={now} />
          ))}
        </ol>
      )}
      <OfflineMessages />
    </section>
  );
}
