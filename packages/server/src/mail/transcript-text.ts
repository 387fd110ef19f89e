// A conversation as a plain-text e-mail body. Pure. Message text is untrusted: it is only ever plain text here (the
// mail has no HTML part), with control characters other than newlines and tabs removed.

import type { Message } from '@parley/protocol';

export interface TranscriptTextOptions {
  /** Shown in the heading, e.g. the site key. */
  siteName: string;
  /** The conversation's start, ms since the epoch. */
  startedAt: number;
}

// C0 controls but \t and \n, DEL, C1 controls, and the bidi overrides that can make text read in another order.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const clean = (text: string): string => text.replace(/\r\n?/g, '\n').replace(UNSAFE, '');
const stamp = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

function authorOf(m: Message): string {
  switch (m.author.role) {
    case 'visitor':
      return 'You';
    case 'bot':
      return 'Assistant';
    case 'agent':
      return clean(m.author.name ?? 'Agent');
    default:
      return 'System';
  }
}

/** Subject line: fixed text and the site's name only (never message text, which could carry a header). */
export function transcriptSubject(siteName: string): string {
  return `Your chat transcript (${clean(siteName).replace(/\n/g, ' ')})`;
}

export function transcriptText(messages: readonly Message[], options: TranscriptTextOptions): string {
  const lines = [`Chat with ${clean(options.siteName)}, started ${stamp(options.startedAt)}`, ''];
  for (const m of messages) {
    if (m.kind === 'event') {
      lines.push(`— ${clean(m.text)} (${stamp(m.at)}) —`, '');
      continue;
    }
    // Continuation lines are indented so a message cannot fake another author's line.
    const body = clean(m.text).split('\n').join('\n    ');
    lines.push(`[${stamp(m.at)}] ${authorOf(m)}: ${body}`);
    for (const a of m.attachments ?? []) lines.push(`    (file: ${clean(a.name)} ${clean(a.url)})`);
    lines.push('');
  }
  return lines.join('\n');
}
