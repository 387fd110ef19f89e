export interface NewWebhookDelivery {
    /** `wh_…`, stable across retries so receivers can deduplicate. */
    id: string;
    /** The endpoint it goes to; a node attempts only deliveries for URLs in its own config. */
    url: string;
    event: string;
    /** The JSON body, signed afresh at each attempt. */
    body: string;
    createdAt: number;
}
export interface WebhookDelivery extends NewWebhookDelivery {
    /** Attempts already made (0 for a new delivery). */
    attempts: number;
}
/** Who holds a delivery, and until when (epoch ms); after that any node may claim it. */
export interface WebhookLease {
    owner: string;
    until: number;
}
export interface WebhookOutboxStore {
    /**
     * Stores new deliveries, due at once and already leased to `lease.owner` (the emitting node attempts them first,
     * with no claim round trip), while the outbox holds fewer than `maxPending`: returns n, and the first n of
     * `deliveries` were stored, the rest not. Ids are new (`wh_` + UUID); one already stored is left as it is.
     */
    enqueueWebhooks(deliveries: readonly NewWebhookDelivery[], lease: WebhookLease, maxPending: number): Promise<number>;
    /**
     * Leases up to `limit` deliveries to `lease.owner`: those for one of `urls` that are due at `now` and not leased
     * (or whose lease lapsed), oldest due first. Two nodes claiming at once never get the same delivery.
     */
    claimWebhooks(input: {
        urls: readonly string[];
        now: number;
        limit: number;
        lease: WebhookLease;
    }): Promise<WebhookDelivery[]>;
    /** Removes a delivery that is done (delivered, refused, or given up). False when `owner` no longer holds it. */
    finishWebhook(id: string, owner: string): Promise<boolean>;
    /** Records `attempts` and frees the lease; the delivery is due again at `nextAttemptAt`. False when not held. */
    retryWebhookLater(id: string, owner: string, attempts: number, nextAttemptAt: number): Promise<boolean>;
    /** Frees every lease `owner` holds (a node shutting down), so other nodes need not wait for them to lapse. */
    releaseWebhookLeases(owner: string): Promise<number>;
    /** Deliveries in the outbox, leased or not. */
    countWebhooks(): Promise<number>;
}
