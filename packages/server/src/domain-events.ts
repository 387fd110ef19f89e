// What happened, as told by the storage calls that made it happen: one event per state change that actually
// took place (a retried start, a duplicate message or a lost accept race tells nothing). Metrics and webhooks
// listen here, so no handler has to remember to report.

import type { AgentInfo, EscalationReason, Message, Role } from '@parley/protocol';
import type { Conversation, Rating, Storage } from './storage/storage.js';

export type DomainEvent =
  | { type: 'conversation.created'; conversation: Conversation }
  | { type: 'conversation.escalated'; conversation: Conversation; reason: EscalationReason }
  | {
      type: 'conversation.assigned';
      conversation: Conversation;
      agent: AgentInfo;
      /** From entering the queue to this assignment; undefined when the queue time is unknown. */
      waitMs: number | undefined;
      /** How long the assignment itself took (the storage compare-and-set). */
      durationMs: number;
    }
  | { type: 'conversation.closed'; conversation: Conversation; closedBy: Role; reason?: string }
  | { type: 'message.created'; message: Message }
  | { type: 'rating.created'; rating: Rating };

export type DomainEventType = DomainEvent['type'];

export const DOMAIN_EVENT_TYPES: readonly DomainEventType[] = [
  'conversation.created',
  'conversation.escalated',
  'conversation.assigned',
  'conversation.closed',
  'message.created',
  'rating.created',
];

/** The assignment event, from the conversation as it is right after the assignment at `at`. */
export function assignedEvent(conversation: Conversation, agent: AgentInfo, at: number, durationMs: number): DomainEvent {
  const queuedAt = conversation.queuedAt;
  return { type: 'conversation.assigned', conversation, agent, waitMs: queuedAt === undefined ? undefined : Math.max(0, at - queuedAt), durationMs };
}

/**
 * Wraps a Storage so every effective change is reported to `onEvent` after it was stored. A listener that
 * throws is the listener's problem: the storage call still resolves with its result.
 */
export function observeStorage(storage: Storage, onEvent: (event: DomainEvent) => void, now: () => number = Date.now): Storage {
  const emit = (event: DomainEvent) => {
    try {
      onEvent(event);
    } catch {
      // Reporting must never turn a stored change into a failed call; listeners log their own failures.
    }
  };
  const overrides: Partial<Storage> = {
    async startConversation(input) {
      const result = await storage.startConversation(input);
      if (result.created) emit({ type: 'conversation.created', conversation: result.conversation });
      return result;
    },
    async appendMessage(input) {
      const result = await storage.appendMessage(input);
      if (!result.duplicate) emit({ type: 'message.created', message: result.message });
      return result;
    },
    async escalate(input) {
      const result = await storage.escalate(input);
      if (result.changed && result.conversation !== undefined) {
        emit({ type: 'conversation.escalated', conversation: result.conversation, reason: input.reason });
      }
      return result;
    },
    async assign(conversationId, agent) {
      // A monotonic clock for the duration: the wall clock (`now`) may step.
      const started = performance.now();
      const result = await storage.assign(conversationId, agent);
      if (result.changed && result.conversation !== undefined) {
        emit(assignedEvent(result.conversation, agent, now(), Math.max(0, performance.now() - started)));
      }
      return result;
    },
    async assignNext(siteId, agent) {
      // Automatic assignment (routing/router.ts) takes conversations through here, not through assign().
      const started = performance.now();
      const result = await storage.assignNext(siteId, agent);
      const conversation = result.kind === 'assigned' ? result.transition.conversation : undefined;
      if (conversation !== undefined) emit(assignedEvent(conversation, agent, now(), Math.max(0, performance.now() - started)));
      return result;
    },
    async closeConversation(conversationId, by, reason) {
      const result = await storage.closeConversation(conversationId, by, reason);
      if (result.changed && result.conversation !== undefined) {
        emit({ type: 'conversation.closed', conversation: result.conversation, closedBy: by, ...(reason === undefined ? {} : { reason }) });
      }
      return result;
    },
    async rate(input) {
      const result = await storage.rate(input);
      if (result.created) emit({ type: 'rating.created', rating: result.rating });
      return result;
    },
  };
  // A Proxy rather than a spread: adapters may grow methods (or be class instances) and must keep working.
  return new Proxy(storage, {
    get(target, key, receiver) {
      if (typeof key === 'string' && Object.prototype.hasOwnProperty.call(overrides, key)) return overrides[key as keyof Storage];
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
