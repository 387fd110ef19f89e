import { type DomainEvent, type DomainEventType } from './domain-events.js';
import { type Logger } from './logger.js';
import type { WebhookOutboxStore } from './storage/webhook-outbox-store.js';
export interface WebhookEndpoint {
    /** http(s) URL to POST to. */
    url: string;
    /** Signing key shared with the receiver (≥ 16 chars). */
    secret: string;
    /** Events to send; default all. */
    events?: readonly DomainEventType[];
}
export interface WebhookOptions {
    endpoints: readonly WebhookEndpoint[];
    logger: Logger;
    /** Where deliveries wait (the server's Storage). */
    store: WebhookOutboxStore;
    /** This node's name on its leases. Default a random one per dispatcher. */
    owner?: string;
    /** Attempts per delivery, the first included. Default 8 (about 4 minutes of retries with the default delays). */
    maxAttempts?: number;
    /** Delay before the first retry; doubles each time. Default 1000 ms. */
    baseDelayMs?: number;
    /** Cap on one delay. Default 5 minutes. */
    maxDelayMs?: number;
    /** How long a POST may wait on a silent receiver (socket inactivity). Default 10 s. */
    timeoutMs?: number;
    /** Deliveries in the outbox at once (all nodes); beyond it new ones are dropped and logged. Default 10 000. */
    maxPending?: number;
    /** How often this node looks for due deliveries it did not schedule itself (a dead node's). Default 1000 ms. */
    pollMs?: number;
    /** How long a claimed delivery stays this node's; outlasts an attempt. Default max(60 s, 3 × timeoutMs). */
    leaseMs?: number;
    /** Attempts in flight at once on this node. Default 64. */
    maxInFlight?: number;
    now?: () => number;
    onOutcome?: (event: DomainEventType, outcome: 'delivered' | 'retried' | 'failed' | 'dropped') => void;
}
/** The JSON body of every delivery. */
export interface WebhookPayload {
    id: string;
    event: DomainEventType;
    createdAt: number;
    data: Record<string, unknown>;
}
export declare const SIGNATURE_HEADER = "parley-signature";
/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the endpoint secret>`. */
export declare function signWebhook(secret: string, timestampSeconds: number, body: string): string;
/**
 * Checks a `parley-signature` header against the raw body, in constant time, and refuses timestamps older (or
 * newer) than `toleranceSeconds` so a captured request cannot be replayed later.
 * @example
 * if (!verifyWebhookSignature({ secret, header: req.headers['parley-signature'], body: rawBody })) res.writeHead(400);
 */
export declare function verifyWebhookSignature(input: {
    secret: string;
    header: string | undefined;
    body: string;
    toleranceSeconds?: number;
    nowMs?: number;
}): boolean;
/** What receivers get about each event: ids, states and content, never tokens or internal read markers. */
export declare function webhookData(event: DomainEvent): Record<string, unknown>;
/** Throws CONFIG_INVALID for an unusable endpoint list. */
export declare function validateWebhookEndpoints(endpoints: readonly WebhookEndpoint[]): void;
export interface WebhookDispatcher {
    /** Queues one delivery per subscribed endpoint (stored on the next turn, then attempted); returns at once. */
    emit(event: DomainEvent): void;
    /** Deliveries not done yet: in the outbox (any node's) or not stored yet. */
    pending(): Promise<number>;
    /**
     * Stores what was emitted, waits up to `timeoutMs` for attempts in flight, then stops and frees this node's
     * leases: whatever is left stays in the outbox for the next start or another node.
     */
    close(timeoutMs?: number): Promise<void>;
}
export declare function createWebhookDispatcher(options: WebhookOptions): WebhookDispatcher;
