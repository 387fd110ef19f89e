// Outgoing webhooks: each domain event POSTed as JSON to every subscribed endpoint, signed with HMAC-SHA256,
// retried with exponential backoff. Deliveries live in memory: a restart loses those still pending (logged).

import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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
  /** How long a POST may wait on a silent receiver (socket inactivity). Default 10 s. */
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

/** Connections kept open per receiver host: deliveries beyond it wait for a free one. */
const MAX_SOCKETS_PER_HOST = 16;

/**
 * One POST over node:http(s) with keep-alive agents: several times cheaper per request than fetch here (see
 * scripts/bench/ops), which matters when every message is an event. Resolves with the status once the body is read.
 */
function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  agents: { http: HttpAgent; https: HttpsAgent },
  timeoutMs: number,
  inFlight: Set<ClientRequest>,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const isHttps = url.protocol === 'https:';
    const req = (isHttps ? httpsRequest : httpRequest)(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: isHttps ? agents.https : agents.http },
      (res) => {
        // The body is not needed; reading it to the end frees the connection for the next delivery.
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    inFlight.add(req);
    req.on('close', () => inFlight.delete(req));
    // Socket inactivity, not total time: a receiver that stops answering is cut after timeoutMs of silence.
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
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
  const inFlight = new Set<ClientRequest>();
  let starting: Delivery[] = [];
  let startScheduled: NodeJS.Immediate | undefined;
  const startPending = () => {
    startScheduled = undefined;
    const batch = starting;
    starting = [];
    for (const delivery of batch) void attempt(delivery);
  };
  // Parsed once per endpoint rather than per attempt.
  const urls = new Map(options.endpoints.map((e) => [e, new URL(e.url)]));
  let isClosed = false;
  const idleWaiters: Array<() => void> = [];
  const agents = {
    http: new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_HOST }),
    https: new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_HOST }),
  };

  const settle = (delivery: Delivery) => {
    live.delete(delivery);
    if (live.size === 0) for (const wake of idleWaiters.splice(0)) wake();
  };

  async function attempt(delivery: Delivery): Promise<void> {
    if (isClosed) return;
    delivery.attempt++;
    const timestamp = Math.floor(now() / 1000);
    const url = urls.get(delivery.endpoint)!;
    let failure: string;
    try {
      // Redirects are not followed: a 3xx is a refusal like any other non-retryable status.
      const status = await post(
        url,
        {
          'content-type': 'application/json',
          'user-agent': 'parley-webhooks/1',
          'parley-event': delivery.event,
          'parley-delivery': delivery.id,
          'parley-attempt': String(delivery.attempt),
          [SIGNATURE_HEADER]: signWebhook(delivery.endpoint.secret, timestamp, delivery.body),
        },
        delivery.body,
        agents,
        timeoutMs,
        inFlight,
      );
      if (status >= 200 && status < 300) {
        options.onOutcome?.(delivery.event, 'delivered');
        logger.debug('webhook.delivered', { deliveryId: delivery.id, event: delivery.event, attempt: delivery.attempt });
        settle(delivery);
        return;
      }
      if (!isRetryableStatus(status)) {
        options.onOutcome?.(delivery.event, 'failed');
        logger.warn('webhook.refused', { deliveryId: delivery.id, event: delivery.event, status, host: url.host });
        settle(delivery);
        return;
      }
      failure = `HTTP ${status}`;
    } catch (err) {
      failure = String(describeError(err).errorMessage);
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
      // First attempts start on the next turn: the event came from a storage call whose caller (an ack, a reply)
      // should go out before the POSTs are built.
      startScheduled ??= setImmediate(startPending);
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
        starting.push(delivery);
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
      if (startScheduled !== undefined) clearImmediate(startScheduled);
      starting = [];
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const req of inFlight) req.destroy();
      agents.http.destroy();
      agents.https.destroy();
      if (live.size > 0) logger.warn('webhook.undelivered_at_shutdown', { count: live.size, deliveryIds: [...live].map((d) => d.id).slice(0, 100) });
      live.clear();
    },
  };
}
