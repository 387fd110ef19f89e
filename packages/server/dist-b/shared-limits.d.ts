import { type RateLimits } from './rate-limit.js';
import type { Role } from '@parley/protocol';
export interface SharedLimits {
    /** Spends one `message.send`; returns a message for the client when a limit refuses it. */
    takeMessage(sender: {
        role: Role;
        subjectId: string;
        address: string;
    }, nowMs: number): string | undefined;
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
export declare function createSharedLimits(rates: RateLimits, exemptAddresses?: readonly string[]): SharedLimits;
