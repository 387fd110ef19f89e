// Rate limits shared by many connections: per subject (a visitor's or agent's sockets together) and per client IP
// (every visitor behind one address). Pure: the caller passes the clock; connection.ts applies them.

import { rateKeyFor } from './handshake.js';
import { KeyedBuckets, type RateLimits } from './rate-limit.js';
import type { Role } from '@parley/protocol';

export interface SharedLimits {
  /** Spends one `message.send`; returns a message for the client when a limit refuses it. */
  takeMessage(sender: { role: Role; subjectId: string; address: string }, nowMs: number): string | undefined;
  /** Spends one visitor `conversation.start` of the address; a message when refused. */
  takeConversationStart(address: string, nowMs: number): string | undefined;
  /** Forgets refilled buckets. */
  sweep(nowMs: number): void;
}

/**
 * @example
 * const shared = createSharedLimits(DEFAULT_RATES);
 * const refusal = shared.takeMessage({ role: 'visitor', subjectId, address }, Date.now());
 */
export function createSharedLimits(rates: RateLimits, exemptAddresses: readonly string[] = []): SharedLimits {
  const exempt = new Set(exemptAddresses);
  const perSubject = new KeyedBuckets(rates.subjectMessages);
  const ipMessages = new KeyedBuckets(rates.ipMessages);
  const ipStarts = new KeyedBuckets(rates.ipConversationStarts);
  return {
    takeMessage(sender, nowMs) {
      if (!perSubject.take(`${sender.role}:${sender.subjectId}`, nowMs)) return 'too many messages from you across your open tabs; slow down';
      // Agents sit behind their company's one address by design, and their accounts are made by an admin.
      if (sender.role === 'visitor' && !exempt.has(sender.address) && !ipMessages.take(rateKeyFor(sender.address), nowMs)) return 'too many messages from your network; slow down';
      return undefined;
    },
    takeConversationStart(address, nowMs) {
      return exempt.has(address) || ipStarts.take(rateKeyFor(address), nowMs) ? undefined : 'too many new conversations from your network; try again shortly';
    },
    sweep(nowMs) {
      perSubject.sweep(nowMs);
      ipMessages.sweep(nowMs);
      ipStarts.sweep(nowMs);
    },
  };
}
