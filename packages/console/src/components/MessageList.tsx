// A conversation's messages in seq order, with event dividers, read receipts on the agent's messages, and internal
// notes placed by time among them (styled apart and labelled: the visitor never sees them).
import type { Message, Note } from '@parley/protocol';
import { formatTime } from '../format.js';
import { findLastOf } from '../last-of.js';
import { MessageText } from './MessageText.js';
import { AttachmentList } from './AttachmentList.js';

export interface MessageListProps {
  messages: readonly Message[];
  /** Highest seq the visitor has read; undefined hides receipts (history). */
  visitorReadSeq?: number;
  label: string;
  /** Shown for visitor messages, which carry no name on the wire. */
  visitorName?: string;
  /** Internal notes, oldest first. */
  notes?: readonly Note[];
}

type Item = { message: Message; note?: undefined } | { note: Note; message?: undefined };

/** Messages stay in seq order; each note goes after the last message written at or before it. */
function interleave(messages: readonly Message[], notes: readonly Note[]): Item[] {
  const items: Item[] = [];
  let n = 0;
  for (const message of messages) {
    while (n < notes.length && notes[n]!.at < message.at) items.push({ note: notes[n++]! });
    items.push({ message });
  }
  while (n < notes.length) items.push({ note: notes[n++]! });
  return items;
}

function authorName(m: Message, visitorName: string | undefined): string {
  if (m.author.role === 'visitor') return m.author.name ?? visitorName ?? 'Visitor';
  if (m.author.role === 'agent') return m.author.name ?? 'Agent';
  if (m.author.role === 'bot') return 'FAQ bot';
  return 'System';
}

function NoteItem({ note }: { note: Note }) {
  return (
    <li class="msg msg-note">
      <p class="msg-meta">
        <span class="note-badge">Internal note</span> <span class="msg-author">{note.author.name ?? 'Agent'}</span>{' '}
        <time dateTime={new Date(note.at).toISOString()}>{formatTime(note.at)}</time>
      </p>
      <MessageText text={note.text} />
    </li>
  );
}

export function MessageList({ messages, visitorReadSeq, label, visitorName, notes = [] }: MessageListProps) {
  const lastAgentSeq = findLastOf(messages, (m) => m.author.role === 'agent' && m.kind === 'text')?.seq;
  return (
    <div class="message-log" role="log" aria-label={label}>
      {messages.length === 0 && notes.length === 0 ? (
        <p class="muted">No messages yet.</p>
      ) : (
        <ol class="messages">
          {interleave(messages, notes).map(({ message: m, note }) =>
            note !== undefined ? (
              <NoteItem key={`note-${note.clientId}`} note={note} />
            ) : m.kind === 'event' ? (
              <li key={m.seq} class="msg-event">
                {m.text}
              </li>
            ) : (
              <li key={m.seq} class={`msg msg-${m.author.role}`}>
                <p class="msg-meta">
                  <span class="msg-author">{authorName(m, visitorName)}</span> <time dateTime={new Date(m.at).toISOString()}>{formatTime(m.at)}</time>
                </p>
                {m.text !== '' || !m.attachments?.length ? <MessageText text={m.text} /> : null}
                {m.attachments?.length ? <AttachmentList attachments={m.attachments} /> : null}
                {m.quickReplies?.length ? <p class="msg-quick">Quick replies offered: {m.quickReplies.join(' · ')}</p> : null}
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
