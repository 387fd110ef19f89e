// Outgoing webhooks: each domain event POSTed as JSON to every subscribed endpoint, signed with HMAC-SHA256,
// retried with exponential backoff. Deliveries live in memory: a restart loses those still pending (logged).

import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { ParleyError } from '@parley/protocol';
import { DOMAIN_EVENT_TYPES, type DomainEvent, type DomainEventType } from './domain-events.js';
import { describeError, type Logger } from './logger.js';

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
  /** Attempts per delivery, the first included. Default 8 (about 4 minutes of retries with the default delays). */
  maxAttempts?: number;
  /** Delay before the first retry; doubles each time. Default 1000 ms. */
  baseDelayMs?: number;
  /** Cap on one delay. Default 5 minutes. */
  maxDelayMs?: number;
  /** How long one POST may take. Default 10 s. */
  timeoutMs?: number;
  /** Deliveries held at once (pending + retrying); beyond it new ones are dropped and logged. Default 10 000. */
  maxPending?: number;
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

export const SIGNATURE_HEADER = 'parley-signature';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the endpoint secret>`. */
export function signWebhook(secret: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

/**
 * Checks a `parley-signature` header against the raw body, in constant time, and refuses timestamps older (or
 * newer) than `toleranceSeconds` so a captured request cannot be replayed later.
 * @example
 * if (!verifyWebhookSignature({ secret, header: req.headers['parley-signature'], body: rawBody })) res.writeHead(400);
 */
export function verifyWebhookSignature(input: {
  secret: string;
  header: string | undefined;
  body: string;
  toleranceSeconds?: number;
  nowMs?: number;
}): boolean {
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(input.header ?? '');
  if (match === null) return false;
  const t = Number(match[1]);
  const now = Math.floor((input.nowMs ?? Date.now()) / 1000);
  if (Math.abs(now - t) > (input.toleranceSeconds ?? 300)) return false;
  const expected = createHmac('sha256', input.secret).update(`${t}.${input.body}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}

/** What receivers get about each event: ids, states and content, never tokens or internal read markers. */
export function webhookData(event: DomainEvent): Record<string, unknown> {
  const conversationOf = (c: { id: string; siteId: string; visitorId: string; status: string; createdAt: number; profile: unknown }) => ({
    id: c.id,
    siteId: c.siteId,
    visitorId: c.visitorId,
    status: c.status,
    createdAt: c.createdAt,
    profile: c.profile,
  });
  switch (event.type) {
    case 'conversation.created':
      return { conversation: conversationOf(event.conversation) };
    case 'conversation.escalated':
      return { conversation: conversationOf(event.conversation), reason: event.reason };
    case 'conversation.assigned':
      return { conversation: conversationOf(event.conversation), agent: event.agent, ...(event.waitMs === undefined ? {} : { waitMs: event.waitMs }) };
    case 'conversation.closed':
      return { conversation: conversationOf(event.conversation), closedBy: event.closedBy, ...(event.reason === undefined ? {} : { reason: event.reason }) };
    case 'message.created':
      return { message: event.message };
    case 'rating.created':
      return { rating: event.rating };
  }
}

/** Throws CONFIG_INVALID for an unusable endpoint list. */
export function validateWebhookEndpoints(endpoints: readonly WebhookEndpoint[]): void {
  for (const endpoint of endpoints) {
    let url: URL;
    try {
      url = new URL(endpoint.url);
    } catch {
      throw new ParleyError('CONFIG_INVALID', `webhook URL "${endpoint.url}" is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ParleyError('CONFIG_INVALID', `webhook URL "${endpoint.url}" must be http(s)`);
    if (typeof endpoint.secret !== 'string' || endpoint.secret.length < 16) {
      throw new ParleyError('CONFIG_INVALID', `the webhook secret for ${url.origin} must be at least 16 characters`);
    }
    for (const e of endpoint.events ?? []) {
      if (!DOMAIN_EVENT_TYPES.includes(e)) throw new ParleyError('CONFIG_INVALID', `unknown webhook event "${e}"; use ${DOMAIN_EVENT_TYPES.join(', ')}`);
    }
  }
}

export interface WebhookDispatcher {
  /** Queues one delivery per subscribed endpoint; returns at once. */
  emit(event: DomainEvent): void;
  /** Deliveries not yet delivered or given up. */
  pending(): number;
  /** Waits up to `timeoutMs` for pending deliveries, then stops retrying and logs what is left undelivered. */
  close(timeoutMs?: number): Promise<void>;
}

interface Delivery {
  endpoint: WebhookEndpoint;
  event: DomainEventType;
  id: string;
  body: string;
  attempt: number;
}

/** Statuses worth retrying: the receiver is overloaded, restarting, or timed out. Other 4xx will not get better. */
const isRetryableStatus = (status: number) => status >= 500 || status === 408 || status === 429;

export function createWebhookDispatcher(options: WebhookOptions): WebhookDispatcher {
  validateWebhookEndpoints(options.endpoints);
  const { logger } = options;
  const now = options.now ?? Date.now;
  const maxAttempts = options.maxAttempts ?? 8;
  const baseDelayMs = options.baseDelayMs ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 5 * 60_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxPending = options.maxPending ?? 10_000;
  const live = new Set<Delivery>();
  const timers = new Set<NodeJS.Timeout>();
  const controllers = new Set<AbortController>();
  let isClosed = false;
  const idleWaiters: Array<() => void> = [];

  const settle = (delivery: Delivery) => {
    live.delete(delivery);
    if (live.size === 0) for (const wake of idleWaiters.splice(0)) wake();
  };

  async function attempt(delivery: Delivery): Promise<void> {
    if (isClosed) return;
    delivery.attempt++;
    const timestamp = Math.floor(now() / 1000);
    const controller = new AbortController();
    controllers.add(controller);
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let failure: string;
    try {
      const res = await fetch(delivery.endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'parley-webhooks/1',
          'parley-event': delivery.event,
          'parley-delivery': delivery.id,
          'parley-attempt': String(delivery.attempt),
          [SIGNATURE_HEADER]: signWebhook(delivery.endpoint.secret, timestamp, delivery.body),
        },
        body: delivery.body,
        signal: controller.signal,
        redirect: 'manual',
      });
      // The body is not needed; reading it frees the connection for reuse.
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) {
        options.onOutcome?.(delivery.event, 'delivered');
        logger.debug('webhook.delivered', { deliveryId: delivery.id, event: delivery.event, attempt: delivery.attempt });
        settle(delivery);
        return;
      }
      if (!isRetryableStatus(res.status)) {
        options.onOutcome?.(delivery.event, 'failed');
        logger.warn('webhook.refused', { deliveryId: delivery.id, event: delivery.event, status: res.status, host: new URL(delivery.endpoint.url).host });
        settle(delivery);
        return;
      }
      failure = `HTTP ${res.status}`;
    } catch (err) {
      failure = controller.signal.aborted ? 'timeout' : String(describeError(err).errorMessage);
    } finally {
      clearTimeout(timer);
      controllers.delete(controller);
    }
    if (isClosed) return;
    if (delivery.attempt >= maxAttempts) {
      options.onOutcome?.(delivery.event, 'failed');
      logger.error('webhook.gave_up', { deliveryId: delivery.id, event: delivery.event, attempts: delivery.attempt, failure });
      settle(delivery);
      return;
    }
    // Exponential backoff with jitter in the upper half, so many failed deliveries don't retry in lockstep.
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (delivery.attempt - 1));
    const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    options.onOutcome?.(delivery.event, 'retried');
    logger.info('webhook.retry', { deliveryId: delivery.id, event: delivery.event, attempt: delivery.attempt, failure, delayMs: delay });
    const retry = setTimeout(() => {
      timers.delete(retry);
      void attempt(delivery);
    }, delay);
    timers.add(retry);
  }

  return {
    emit(event) {
      if (isClosed) return;
      const targets = options.endpoints.filter((e) => e.events === undefined || e.events.includes(event.type));
      if (targets.length === 0) return;
      const payload: WebhookPayload = { id: '', event: event.type, createdAt: now(), data: webhookData(event) };
      for (const endpoint of targets) {
        if (live.size >= maxPending) {
          options.onOutcome?.(event.type, 'dropped');
          logger.error('webhook.dropped', { event: event.type, pending: live.size });
          continue;
        }
        // One id per endpoint delivery, stable across its retries, so receivers can deduplicate.
        const id = `wh_${randomUUID()}`;
        const delivery: Delivery = { endpoint, event: event.type, id, body: JSON.stringify({ ...payload, id }), attempt: 0 };
        live.add(delivery);
        void attempt(delivery);
      }
    },
    pending: () => live.size,
    async close(timeoutMs = 0) {
      if (live.size > 0 && timeoutMs > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => idleWaiters.push(resolve)),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
        ]);
        clearTimeout(timer);
      }
      isClosed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const controller of controllers) controller.abort();
      if (live.size > 0) logger.warn('webhook.undelivered_at_shutdown', { count: live.size, deliveryIds: [...live].map((d) => d.id).slice(0, 100) });
      live.clear();
    },
  };
}
