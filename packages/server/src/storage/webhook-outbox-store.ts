// The webhook-outbox half of Storage: deliveries waiting to be POSTed, kept in the database so a restart does not
// lose them, and leased to one node at a time so each is attempted by exactly one node (a dead node's lease lapses
// and another takes over). Only ids, URLs and signed-to-be bodies: endpoint secrets stay in each node's config.
// Contract: webhook-outbox-contract.ts.

import type { DomainEvent } from '../domain-events.js';

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

/**
 * Turns the events of a change into deliveries written in that change's own transaction, so a crash cannot keep
 * the change and lose its webhooks (webhooks.ts implements it; an adapter calls it from its write paths).
 */
export interface WebhookOutboxWriter {
  /**
   * The deliveries for one effective change, asked inside its transaction: synchronous, and must not throw. Empty
   * when no endpoint wants the event (or the outbox is full: the refused deliveries are then reported as dropped,
   * or, given `refused`, pushed there for the caller to report with dropped() once the change proved effective).
   */
  deliveriesFor(event: DomainEvent, refused?: NewWebhookDelivery[]): NewWebhookDelivery[];
  /** Reports deliveries refused into deliveriesFor's `refused` whose change did happen (logged, counted). */
  dropped(deliveries: readonly NewWebhookDelivery[]): void;
  /** The lease the new rows are written with: the emitting node attempts them first, without a claim. */
  lease(): WebhookLease;
  /** After the transaction committed (and, where acks wait for an fsync, after it): what it stored. */
  stored(deliveries: readonly NewWebhookDelivery[]): void;
}

export interface WebhookOutboxStore {
  /**
   * From now on every change that emits a domain event (conversation created, escalated, assigned, closed,
   * message created, rating created) writes `writer`'s deliveries in its own transaction; undefined stops it.
   * One writer per storage: the server that owns the webhooks sets it. Returns the writer it replaces.
   */
  setWebhookOutbox(writer: WebhookOutboxWriter | undefined): WebhookOutboxWriter | undefined;
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
  claimWebhooks(input: { urls: readonly string[]; now: number; limit: number; lease: WebhookLease }): Promise<WebhookDelivery[]>;
  /** Removes a delivery that is done (delivered, refused, or given up). False when `owner` no longer holds it. */
  finishWebhook(id: string, owner: string): Promise<boolean>;
  /** Records `attempts` and frees the lease; the delivery is due again at `nextAttemptAt`. False when not held. */
  retryWebhookLater(id: string, owner: string, attempts: number, nextAttemptAt: number): Promise<boolean>;
  /** Frees every lease `owner` holds (a node shutting down), so other nodes need not wait for them to lapse. */
  releaseWebhookLeases(owner: string): Promise<number>;
  /** Deliveries in the outbox, leased or not. */
  countWebhooks(): Promise<number>;
}
