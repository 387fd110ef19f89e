import type { AgentInfo, EscalationReason, Message, Role } from '@parley/protocol';
import type { Conversation, Rating, Storage } from './storage/storage.js';
export type DomainEvent = {
    type: 'conversation.created';
    conversation: Conversation;
} | {
    type: 'conversation.escalated';
    conversation: Conversation;
    reason: EscalationReason;
} | {
    type: 'conversation.assigned';
    conversation: Conversation;
    agent: AgentInfo;
    /** From entering the queue to this assignment; undefined when the queue time is unknown. */
    waitMs: number | undefined;
    /** How long the assignment itself took (the storage compare-and-set). */
    durationMs: number;
} | {
    type: 'conversation.closed';
    conversation: Conversation;
    closedBy: Role;
    reason?: string;
} | {
    type: 'message.created';
    message: Message;
} | {
    type: 'rating.created';
    rating: Rating;
};
export type DomainEventType = DomainEvent['type'];
export declare const DOMAIN_EVENT_TYPES: readonly DomainEventType[];
/**
 * Wraps a Storage so every effective change is reported to `onEvent` after it was stored. A listener that
 * throws is the listener's problem: the storage call still resolves with its result.
 */
export declare function observeStorage(storage: Storage, onEvent: (event: DomainEvent) => void, now?: () => number): Storage;
