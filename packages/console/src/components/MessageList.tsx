// A conversation's messages in seq order, with event dividers and read receipts on the agent's messages.
import type { Message } from '@parley/protocol';
import { formatTime } from '../format.js';
import { findLastOf } from '../last-of.js';
import { MessageText } from './MessageText.js';

export interface MessageListProps {
  messages: readonly Message[];
  /** Highest seq the visitor has read; undefined hides receipts (history). */
  visitorReadSeq?: number;
  label: string;
  /** Shown for visitor messages, which carry no name on the wire. */
  visitorName?: string;
}

function authorName(m: Message, visitorName: string | undefined): string {
  if (m.author.role === 'visitor') return m.author.name ?? visitorName ?? 'Visitor';
  if (m.author.role === 'agent') return m.author.name ?? 'Agent';
  if (m.author.role === 'bot') return 'FAQ bot';
  return 'System';
}

export function MessageList({ messages, visitorReadSeq, label, visitorName }: MessageListProps) {
  const lastAgentSeq = findLastOf(messages, (m) => m.author.role === 'agent' && m.kind === 'text')?.seq;
  return (
    <div class="message-log" role="log" aria-label={label}>
      {messages.length === 0 ? (
        <p class="muted">No messages yet.</p>
      ) : (
        <ol class="messages">
          {messages.map((m) =>
            m.kind === 'event' ? (
              <li key={m.seq} class="msg-event">
                {m.text}
              </li>
            ) : (
              <li key={m.seq} class={`msg msg-${m.author.role}`}>
                <p class="msg-meta">
                  <span class="msg-author">{authorName(m, visitorName)}</span> <time dateTime={new Date(m.at).toISOString()}>{formatTime(m.at)}</time>
                </p>
                <MessageText text={m.text} />
                {visitorReadSeq !== undefined && m.seq === lastAgentSeq && (
                  <p class="receipt">{visitorReadSeq >= m.seq ? 'Seen' : 'Delivered'}</p>
                )}
              </li>
            ),
          )}
        </ol>
      )}
    </div>
  );
}
