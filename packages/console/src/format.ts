// Human-readable labels and durations for the console's screens. Pure; Intl for dates, no date library.

import { RATING_SCALE_RANGES, type ConversationStatus, type EscalationReason, type RatingScale } from '@parley/protocol';

const REASONS: Readonly<Record<EscalationReason, string>> = {
  requested: 'Asked for a person (button)',
  low_confidence: 'FAQ was not confident enough',
  out_of_scope: 'Question not covered by the FAQ',
  asked_for_human: 'Asked for a human in their message',
  repeated_miss: 'Several FAQ answers did not help',
  negative_feedback: 'Said the FAQ answer did not help',
};

const SCALE_NAMES: Readonly<Record<RatingScale, string>> = { csat: 'satisfaction', ces: 'effort', nps: 'NPS' };

/** "9 out of 10 (NPS)": the score with its scale, so a 5 on NPS is not read as a top CSAT. Missing scale: csat. */
export function formatRating(score: number, scale: RatingScale = 'csat'): string {
  return `${score} out of ${RATING_SCALE_RANGES[scale][1]} (${SCALE_NAMES[scale]})`;
}

/** A sentence an agent understands, for a wire escalation reason. */
export function describeReason(reason: EscalationReason | undefined): string {
  return reason === undefined ? 'Not escalated' : (REASONS[reason] ?? reason);
}

const STATUSES: Readonly<Record<ConversationStatus, string>> = {
  bot: 'Self-service',
  queued: 'Waiting',
  assigned: 'With an agent',
  closed: 'Closed',
  offline: 'Left a message',
};

export function describeStatus(status: ConversationStatus): string {
  return STATUSES[status] ?? status;
}

/** `45 s`, `3 min`, `1 h 05 min`: how long someone has been waiting. */
export function formatWaiting(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** Clock time for today, date and time otherwise, in the agent's locale. */
export function formatTime(at: number, nowMs: number = Date.now()): string {
  const date = new Date(at);
  const isToday = new Date(nowMs).toDateString() === date.toDateString();
  return new Intl.DateTimeFormat(undefined, isToday ? { hour: '2-digit', minute: '2-digit' } : { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/** A 0–1 confidence as a whole percentage. */
export function formatConfidence(confidence: number | undefined): string {
  return confidence === undefined ? 'unknown confidence' : `${Math.round(confidence * 100)}% confident`;
}

/** Close reasons an agent picks from; sent as `conversation.close.reason`. */
export const CLOSE_REASONS = [
  { value: 'resolved', label: 'Resolved' },
  { value: 'no_response', label: 'No response from the visitor' },
  { value: 'spam', label: 'Spam' },
  { value: 'other', label: 'Other' },
] as const;

export type CloseReason = (typeof CLOSE_REASONS)[number]['value'];
