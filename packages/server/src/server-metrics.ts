// Parley's Prometheus series: what an operator graphs and alerts on. Fed by domain events (domain-events.ts),
// error frames and API errors, and read at scrape time for gauges (connections, queue).

import type { DomainEvent } from './domain-events.js';
import { Counter, Gauge, Histogram, Registry } from './metrics.js';

/** One site's queue at scrape time. */
export interface QueueSnapshot {
  siteKey: string;
  length: number;
  /** When the longest-waiting conversation entered the queue; undefined when empty. */
  oldestQueuedAt: number | undefined;
}

export interface ServerMetricsOptions {
  /** Open sockets by endpoint role. */
  connections: () => { visitor: number; agent: number };
  queues: () => Promise<QueueSnapshot[]>;
  now: () => number;
}

/** Seconds: from a sub-second pickup to the better part of an hour in the queue. */
const WAIT_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];
/** Seconds: a compare-and-set that should take milliseconds. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export interface ServerMetrics {
  readonly registry: Registry;
  onEvent(event: DomainEvent): void;
  /** An `error` frame sent on a socket, or an error answered by the REST API. */
  countError(code: string, transport: 'ws' | 'http'): void;
  countWebhook(event: string, outcome: 'delivered' | 'retried' | 'failed' | 'dropped'): void;
  render(): Promise<string>;
}

export function createServerMetrics(options: ServerMetricsOptions): ServerMetrics {
  const registry = new Registry();
  const connections = registry.register(new Gauge('parley_connections', 'Open WebSocket connections by endpoint role.'));
  const messages = registry.register(
    new Counter('parley_messages_total', 'Messages stored, by author role and kind; rate() of it is messages per second.'),
  );
  /** By `role kind`: a handful of pairs, each resolved once instead of on every message. */
  const messageIncrements = new Map<string, () => void>();
  const conversations = registry.register(new Counter('parley_conversations_total', 'Conversation state changes, by event.'));
  const escalations = registry.register(new Counter('parley_escalations_total', 'Conversations handed to the queue, by reason.'));
  const ratings = registry.register(new Counter('parley_ratings_total', 'Ratings stored, by scale (csat, nps, ces) and score.'));
  const queueLength = registry.register(new Gauge('parley_queue_length', 'Conversations waiting for an agent, by site key.'));
  const queueOldest = registry.register(
    new Gauge('parley_queue_oldest_wait_seconds', 'How long the longest-waiting queued conversation has waited, by site key.'),
  );
  const wait = registry.register(
    new Histogram('parley_queue_wait_seconds', 'Time from entering the queue to being assigned to an agent.', WAIT_BUCKETS),
  );
  const assignLatency = registry.register(
    new Histogram('parley_assignment_duration_seconds', 'Time the server took to carry out one assignment (the stored compare-and-set).', LATENCY_BUCKETS),
  );
  const errors = registry.register(new Counter('parley_errors_total', 'Errors answered to clients, by code and transport (ws or http).'));
  const webhooks = registry.register(new Counter('parley_webhook_deliveries_total', 'Webhook delivery attempts by event and outcome.'));
  const scrapeErrors = registry.register(new Counter('parley_metrics_collect_errors_total', 'Scrapes whose queue figures could not be read.'));
  const memory = registry.register(new Gauge('parley_process_resident_memory_bytes', 'Resident set size of the server process.'));
  const uptime = registry.register(new Gauge('parley_process_uptime_seconds', 'Seconds since the process started.'));

  registry.onCollect(async () => {
    const open = options.connections();
    connections.set({ role: 'visitor' }, open.visitor);
    connections.set({ role: 'agent' }, open.agent);
    memory.set({}, process.memoryUsage.rss());
    uptime.set({}, Math.round(process.uptime()));
    try {
      const queues = await options.queues();
      const at = options.now();
      queueLength.replace(queues.map((q) => ({ labels: { site: q.siteKey }, value: q.length })));
      queueOldest.replace(
        queues.map((q) => ({ labels: { site: q.siteKey }, value: q.oldestQueuedAt === undefined ? 0 : Math.max(0, at - q.oldestQueuedAt) / 1000 })),
      );
    } catch {
      // A scrape while the database is down still answers with everything else; the counter tells.
      scrapeErrors.inc();
    }
  });

  return {
    registry,
    onEvent(event) {
      switch (event.type) {
        case 'message.created': {
          const { author, kind } = event.message;
          const key = `${author.role} ${kind}`;
          let inc = messageIncrements.get(key);
          if (inc === undefined) messageIncrements.set(key, (inc = messages.incrementer({ role: author.role, kind })));
          inc();
          return;
        }
        case 'conversation.escalated':
          escalations.inc({ reason: event.reason });
          conversations.inc({ event: 'escalated' });
          return;
        case 'conversation.assigned':
          conversations.inc({ event: 'assigned' });
          if (event.waitMs !== undefined) wait.observe({}, event.waitMs / 1000);
          assignLatency.observe({}, event.durationMs / 1000);
          return;
        case 'conversation.created':
          conversations.inc({ event: 'created' });
          return;
        case 'conversation.closed':
          conversations.inc({ event: 'closed' });
          return;
        case 'rating.created':
          // By scale too: an NPS 5 (a detractor) and a CSAT 5 (delighted) must not add up in one series.
          ratings.inc({ scale: event.rating.scale, score: String(event.rating.score) });
          return;
      }
    },
    countError: (code, transport) => errors.inc({ code, transport }),
    countWebhook: (event, outcome) => webhooks.inc({ event, outcome }),
    render: () => registry.render(),
  };
}
