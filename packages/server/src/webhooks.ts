// Outgoing webhooks: each domain event POSTed as JSON to every subscribed endpoint, signed with HMAC-SHA256,
// retried with exponential backoff. Deliveries wait in the storage's outbox (webhook-outbox-store.ts), leased to one
// node at a time: a restart resumes them, and a dead node's deliveries are taken over once its lease lapses.

import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { ParleyError } from '@parley/protocol';
import { DOMAIN_EVENT_TYPES, type DomainEvent, type DomainEventType } from './domain-events.js';
import { describeError, type Logger } from './logger.js';
import type { NewWebhookDelivery, WebhookDelivery, WebhookOutboxStore, WebhookOutboxWriter } from './storage/webhook-outbox-store.js';

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
  // A stored delivery names its endpoint by URL (the secret stays in config), so a URL must mean one endpoint.
  const urls = endpoints.map((e) => e.url);
  const twice = urls.find((url, i) => urls.indexOf(url) !== i);
  if (twice !== undefined) throw new ParleyError('CONFIG_INVALID', `webhook URL "${twice}" is listed twice`);
}

export interface WebhookDispatcher {
  /**
   * For the storage's setWebhookOutbox: deliveries written in the transaction of the change they report, so a crash
   * right after the change cannot lose them. The server uses this; emit() is for events no storage write makes.
   */
  readonly writer: WebhookOutboxWriter;
  /** Queues one delivery per subscribed endpoint (stored on the next turn, in its own write, then attempted). */
  emit(event: DomainEvent): void;
  /** Deliveries not done yet: in the outbox (any node's) or not stored yet. */
  pending(): Promise<number>;
  /**
   * Stores what was emitted, waits up to `timeoutMs` for attempts in flight, then stops and frees this node's
   * leases: whatever is left stays in the outbox for the next start or another node.
   */
  close(timeoutMs?: number): Promise<void>;
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
  const { logger, store } = options;
  const now = options.now ?? Date.now;
  const owner = options.owner ?? `n_${randomUUID()}`;
  const maxAttempts = options.maxAttempts ?? 8;
  const baseDelayMs = options.baseDelayMs ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 5 * 60_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxPending = options.maxPending ?? 10_000;
  const pollMs = options.pollMs ?? 1000;
  const leaseMs = options.leaseMs ?? Math.max(60_000, 3 * timeoutMs);
  const maxInFlight = options.maxInFlight ?? 64;
  const endpointByUrl = new Map(options.endpoints.map((e) => [e.url, e]));
  const parsedUrls = new Map(options.endpoints.map((e) => [e.url, new URL(e.url)]));
  const knownUrls = [...endpointByUrl.keys()];
  const inFlight = new Set<ClientRequest>();
  const attempts = new Set<Promise<void>>();
  const wakeTimers = new Set<NodeJS.Timeout>();
  let emitted: NewWebhookDelivery[] = [];
  let storing: Promise<void> | undefined;
  let claiming: Promise<void> | undefined;
  let isClosed = false;
  const agents = {
    http: new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_HOST }),
    https: new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_HOST }),
  };
  const lease = () => ({ owner, until: now() + leaseMs });
  /**
   * The outbox size as last counted (each poll), plus what this node stored and minus what it finished since: the
   * writer checks the bound against it, as a count inside every transaction would cost the message path a table
   * scan. It must go down as deliveries finish, or a busy node would count every delivery it ever made and drop all
   * new ones once it had made maxPending.
   */
  let knownPending = 0;
  /** What this node stored (+) and finished (-) since the running count began, added to that count's result. */
  let drift = 0;
  /** Stored here and leased to this node, waiting for an attempt slot (maxInFlight). */
  const waiting: WebhookDelivery[] = [];

  /** One delivery per subscribed endpoint, each with its own id (stable across retries, for deduplication). */
  function deliveriesOf(event: DomainEvent): NewWebhookDelivery[] {
    const targets = options.endpoints.filter((e) => e.events === undefined || e.events.includes(event.type));
    if (targets.length === 0) return [];
    const createdAt = now();
    const payload: WebhookPayload = { id: '', event: event.type, createdAt, data: webhookData(event) };
    return targets.map((endpoint) => {
      const id = `wh_${randomUUID()}`;
      return { id, url: endpoint.url, event: event.type, body: JSON.stringify({ ...payload, id }), createdAt };
    });
  }

  const writer: WebhookOutboxWriter = {
    deliveriesFor(event, refused) {
      // Built even after close(): the rows stay in the outbox for the next start, only the attempts stop.
      const deliveries = deliveriesOf(event);
      if (deliveries.length > 0 && knownPending + deliveries.length > maxPending) {
        if (refused === undefined) reportDropped(deliveries);
        else refused.push(...deliveries);
        return [];
      }
      return deliveries;
    },
    dropped: (deliveries) => reportDropped(deliveries),
    lease,
    stored(deliveries) {
      knownPending += deliveries.length;
      drift += deliveries.length;
      // On the next turn: the change's caller (an ack, a reply) goes out before the POSTs are signed and sent.
      setImmediate(() => {
        for (const delivery of deliveries) start({ ...delivery, attempts: 0 });
      });
    },
  };
  function reportDropped(deliveries: readonly NewWebhookDelivery[]): void {
    for (const dropped of deliveries) {
      options.onOutcome?.(dropped.event as DomainEventType, 'dropped');
      logger.error('webhook.dropped', { deliveryId: dropped.id, event: dropped.event, maxPending });
    }
  }
  const outboxFailed = (step: string, err: unknown) => logger.error('webhook.outbox_failed', { step, ...describeError(err) });

  /** Stores what emit() queued this turn, in one write, then attempts what was stored here, at once. */
  async function storeEmitted(): Promise<void> {
    const batch = emitted;
    emitted = [];
    if (batch.length === 0) return;
    const held = lease();
    let stored: number;
    try {
      stored = await store.enqueueWebhooks(batch, held, maxPending);
    } catch (err) {
      outboxFailed('enqueue', err);
      stored = 0;
    }
    reportDropped(batch.slice(stored));
    knownPending += stored;
    drift += stored;
    for (const delivery of batch.slice(0, stored)) start({ ...delivery, attempts: 0 });
  }

  function scheduleStore(): void {
    storing ??= new Promise<void>((resolve) => setImmediate(resolve))
      .then(storeEmitted)
      .finally(() => {
        storing = undefined;
        if (emitted.length > 0 && !isClosed) scheduleStore();
      });
  }

  /**
   * Counts the outbox again (other nodes store and finish too), then takes due deliveries (retries, a dead node's)
   * while this node has room for them. The count runs even without room: a node kept busy must still see its
   * finished deliveries leave.
   */
  function claimDue(): Promise<void> {
    claiming ??= (async () => {
      if (isClosed) return;
      try {
        drift = 0;
        const counted = await store.countWebhooks();
        // What was stored or finished during the count may be in it or not: counted once more at worst, until the next poll.
        knownPending = counted + drift;
        const room = maxInFlight - attempts.size - waiting.length;
        if (isClosed || room <= 0) return;
        const due = await store.claimWebhooks({ urls: knownUrls, now: now(), limit: room, lease: lease() });
        for (const delivery of due) start(delivery);
      } catch (err) {
        outboxFailed('claim', err);
      }
    })().finally(() => {
      claiming = undefined;
    });
    return claiming;
  }

  const poll = setInterval(() => void claimDue(), pollMs);
  poll.unref();

  function wakeAt(dueAt: number): void {
    // One ms late rather than early: a claim made before next_attempt_at finds nothing.
    const timer = setTimeout(() => {
      wakeTimers.delete(timer);
      void claimDue();
    }, Math.max(0, dueAt - now()) + 1);
    // The outbox keeps the delivery; a forgotten dispatcher must not hold the process open for a retry.
    timer.unref();
    wakeTimers.add(timer);
  }

  /** Attempts at once up to maxInFlight; the rest wait here, already leased, for a running attempt to end. */
  function start(delivery: WebhookDelivery): void {
    if (isClosed) return;
    if (attempts.size >= maxInFlight) {
      waiting.push(delivery);
      return;
    }
    const running = attempt(delivery).finally(() => {
      attempts.delete(running);
      const next = waiting.shift();
      if (next !== undefined) start(next);
    });
    attempts.add(running);
  }

  async function attempt(delivery: WebhookDelivery): Promise<void> {
    const endpoint = endpointByUrl.get(delivery.url);
    if (endpoint === undefined) return; // claimed only for known URLs; an enqueue never names another
    const event = delivery.event as DomainEventType;
    const attempt = delivery.attempts + 1;
    const url = parsedUrls.get(delivery.url)!;
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
          'parley-attempt': String(attempt),
          [SIGNATURE_HEADER]: signWebhook(endpoint.secret, Math.floor(now() / 1000), delivery.body),
        },
        delivery.body,
        agents,
        timeoutMs,
        inFlight,
      );
      if (status >= 200 && status < 300) {
        await finish(delivery, event, 'delivered');
        logger.debug('webhook.delivered', { deliveryId: delivery.id, event, attempt });
        return;
      }
      if (!isRetryableStatus(status)) {
        await finish(delivery, event, 'failed');
        logger.warn('webhook.refused', { deliveryId: delivery.id, event, status, host: url.host });
        return;
      }
      failure = `HTTP ${status}`;
    } catch (err) {
      failure = String(describeError(err).errorMessage);
    }
    // Cut off by close(): the lease is freed there and the attempt counts as not made.
    if (isClosed) return;
    if (attempt >= maxAttempts) {
      await finish(delivery, event, 'failed');
      logger.error('webhook.gave_up', { deliveryId: delivery.id, event, attempts: attempt, failure });
      return;
    }
    // Exponential backoff with jitter in the upper half, so many failed deliveries don't retry in lockstep.
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    const dueAt = now() + delay;
    try {
      // The lease goes with it: whichever node claims it when due makes the next attempt (usually this one).
      if (!(await store.retryWebhookLater(delivery.id, owner, attempt, dueAt))) return leaseLost(delivery);
    } catch (err) {
      // The lease stays: it lapses and the delivery is claimed again then, by any node.
      return outboxFailed('retry', err);
    }
    options.onOutcome?.(event, 'retried');
    logger.info('webhook.retry', { deliveryId: delivery.id, event, attempt, failure, delayMs: delay });
    wakeAt(dueAt);
  }

  async function finish(delivery: WebhookDelivery, event: DomainEventType, outcome: 'delivered' | 'failed'): Promise<void> {
    try {
      if (await store.finishWebhook(delivery.id, owner)) {
        knownPending -= 1;
        drift -= 1;
      } else leaseLost(delivery);
    } catch (err) {
      // Left in the outbox: it is attempted again when the lease lapses, and the receiver deduplicates by id.
      outboxFailed('finish', err);
    }
    options.onOutcome?.(event, outcome);
  }

  function leaseLost(delivery: WebhookDelivery): void {
    // The attempt outlasted the lease and another node took the delivery over: it may arrive twice (same id).
    logger.warn('webhook.lease_lost', { deliveryId: delivery.id, leaseMs });
  }

  return {
    writer,
    emit(event) {
      if (isClosed) return;
      const deliveries = deliveriesOf(event);
      if (deliveries.length === 0) return;
      emitted.push(...deliveries);
      // Stored on the next turn: the event came from a storage call whose caller (an ack, a reply) should go out
      // first, and one turn's events share one write.
      scheduleStore();
    },
    async pending() {
      return (await store.countWebhooks()) + emitted.length;
    },
    async close(graceMs = 0) {
      if (isClosed) return;
      clearInterval(poll);
      while (storing !== undefined) await storing;
      if (attempts.size > 0 && graceMs > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.allSettled([...attempts]),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
        ]);
        clearTimeout(timer);
      }
      isClosed = true;
      await claiming;
      for (const timer of wakeTimers) clearTimeout(timer);
      wakeTimers.clear();
      for (const req of inFlight) req.destroy();
      await Promise.allSettled([...attempts]);
      agents.http.destroy();
      agents.https.destroy();
      try {
        const released = await store.releaseWebhookLeases(owner);
        if (released > 0) logger.info('webhook.left_in_outbox', { count: released });
      } catch (err) {
        // They stay leased until the lease lapses, then any node (or this one after a restart) takes them.
        outboxFailed('release', err);
      }
    },
  };
}
