// The self-service transcript carried by the hand-off: questions, FAQ answers with confidence, feedback.
import type { EscalationReason, TranscriptItem } from '@parley/protocol';
import { describeReason, formatConfidence, formatTime } from '../format.js';

function label(item: TranscriptItem): string {
  switch (item.kind) {
    case 'question':
      return 'Visitor asked';
    case 'answer':
      return `FAQ answered (${formatConfidence(item.confidence)})`;
    case 'feedback':
      return item.helpful === false ? 'Visitor clicked “didn’t help”' : item.helpful === true ? 'Visitor found it helpful' : 'Feedback';
    case 'escalation':
      return 'Asked for a person';
    default:
      return 'Step';
  }
}

export function Transcript({ items }: { items: readonly TranscriptItem[] }) {
  if (items.length === 0) return <p class="muted">No self-service steps before the hand-off.</p>;
  return (
    <ol class="transcript">
      {items.map((item, i) => (
        <li key={i} class={`transcript-${item.kind}${item.helpful === false ? ' unhelpful' : ''}`}>
          <span class="transcript-label">{label(item)}</span> <time dateTime={new Date(item.at).toISOString()}>{formatTime(item.at)}</time>
          {/* An escalation step carries the wire reason (`out_of_scope`); agents read the sentence. */}
          <p class="transcript-text">{item.kind === 'escalation' ? describeReason(item.text as EscalationReason) : item.text}</p>
        </li>
      ))}
    </ol>
  );
}
