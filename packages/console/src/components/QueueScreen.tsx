// Waiting visitors, oldest first: live waiting time, escalation reason, identity, pages, transcript, Accept.
import type { QueueEntry } from '@parley/protocol';
import { describeReason, formatWaiting } from '../format.js';
import { useActions, useNow, useStore } from '../hooks/use-store.js';
import { Transcript } from './Transcript.js';
import { VisitorInfo } from './VisitorInfo.js';

function QueueCard({ entry, now }: { entry: QueueEntry; now: number }) {
  const { accept } = useActions();
  const acceptingId = useStore((s) => s.acceptingId);
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
    </section>
  );
}
