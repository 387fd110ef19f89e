// Redis pub/sub Fanout for many nodes: one publisher and one subscriber connection, local listeners per topic.
// Must not hold frames, retry publishes or persist anything: storage is the source of truth, fanout is best effort.

import { Redis } from 'ioredis';
import { ParleyError } from '@parley/protocol';
import { createJsonLogger, describeError } from '../logger.js';
import type { Fanout, FanoutListener, FanoutMessage, FanoutSubscription } from './fanout.js';

export interface RedisFanoutOptions {
  /** e.g. `redis://127.0.0.1:6379`. */
  url: string;
  /** Prepended to every topic to form the Redis channel, so several deployments can share one Redis. Default `parley:`. */
  prefix?: string;
  /** Milliseconds to wait for the first connection. Default 5000. */
  connectTimeoutMs?: number;
  /** Milliseconds a publish/subscribe waits for Redis' reply before failing with FANOUT_UNAVAILABLE. Default 5000. */
  commandTimeoutMs?: number;
  /**
   * Connection errors, malformed messages on our channels, and listeners that throw (none of them has a caller to
   * reject). Default: an `error` line on the JSON logger.
   */
  onError?: (err: unknown, topic?: string) => void;
}

function unavailable(cause: unknown, message = 'the fanout is unavailable'): ParleyError {
  return new ParleyError('FANOUT_UNAVAILABLE', message, { cause, retryable: true });
}

/** Messages from Redis are a boundary: anyone with access to the instance can publish on our channels. */
function parseMessage(raw: string): FanoutMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    // The caller reports the undefined result; the parse error itself carries nothing more useful.
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { frame, exceptSubjectId, exceptConnectionId } = value as Record<string, unknown>;
  if (typeof frame !== 'object' || frame === null || typeof (frame as { type?: unknown }).type !== 'string') return undefined;
  if (exceptSubjectId !== undefined && typeof exceptSubjectId !== 'string') return undefined;
  if (exceptConnectionId !== undefined && typeof exceptConnectionId !== 'string') return undefined;
  return value as FanoutMessage;
}

/** One Redis channel subscription, shared by every local listener of its topic. */
interface ChannelEntry {
  /** Local subscriptions that still hold the channel. */
  refs: number;
  /** The SUBSCRIBE; later local subscribers wait on the same confirmation. */
  ready: Promise<void>;
}

/**
 * Connects both Redis connections and returns a Fanout. Rejects with `FANOUT_UNAVAILABLE` when Redis can't be
 * reached. After connecting, ioredis reconnects on its own and resubscribes every channel.
 * @example
 * const fanout = await createRedisFanout({ url: process.env.REDIS_URL!, prefix: 'parley:' });
 */
export async function createRedisFanout(options: RedisFanoutOptions): Promise<Fanout> {
  const prefix = options.prefix ?? 'parley:';
  const fallbackLogger = options.onError === undefined ? createJsonLogger() : undefined;
  const report =
    options.onError ??
    ((err: unknown, topic?: string): void => {
      const detail = err instanceof ParleyError && err.cause !== undefined ? err.cause : err;
      fallbackLogger?.error('fanout.error', { topic, ...describeError(detail) });
    });
  const connectionOptions = {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    // A fanout frame is only worth delivering now. Without an offline queue, resends or retries, a publish while
    // Redis is down (or in flight when the socket drops) rejects at once instead of hanging the handler that awaits
    // it and delivering a stale frame minutes later. Subscriptions are restored by autoResubscribe regardless.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // A half-open socket (no RST, no reply) would otherwise hold a publish until the OS gives up.
    commandTimeout: options.commandTimeoutMs ?? 5000,
  };
  const publisher = new Redis(options.url, connectionOptions);
  const subscriber = new Redis(options.url, connectionOptions);
  // ioredis emits 'error' on every failed (re)connect; an EventEmitter 'error' without a listener would crash.
  publisher.on('error', (err) => report(unavailable(err)));
  subscriber.on('error', (err) => report(unavailable(err)));

  try {
    await Promise.all([publisher.connect(), subscriber.connect()]);
  } catch (err) {
    // disconnect, not quit: there may be no connection to say goodbye on, and it stops the retry loop.
    publisher.disconnect();
    subscriber.disconnect();
    throw unavailable(err);
  }

  // Listeners and channel subscriptions are tracked apart: a listener keeps receiving until its unsubscribe()
  // round trip completes, even after the channel's refcount dropped to zero and a new SUBSCRIBE took over.
  const listeners = new Map<string, Set<FanoutListener>>();
  const channels = new Map<string, ChannelEntry>();
  let isClosed = false;

  subscriber.on('message', (channel: string, raw: string) => {
    if (!channel.startsWith(prefix)) return;
    const topic = channel.slice(prefix.length);
    const set = listeners.get(topic);
    if (set === undefined) return;
    const message = parseMessage(raw);
    if (message === undefined) {
      report(unavailable(new Error('malformed fanout message'), 'a malformed message arrived on the fanout'), topic);
      return;
    }
    // Copy: a listener may unsubscribe (or subscribe others) while we iterate.
    for (const listener of [...set]) {
      try {
        listener(message);
      } catch (err) {
        report(err, topic);
      }
    }
  });

  function guard(): void {
    if (isClosed) throw unavailable(new Error('fanout closed'), 'the fanout is closed');
  }

  function removeListener(topic: string, listener: FanoutListener): void {
    const set = listeners.get(topic);
    if (set === undefined) return;
    set.delete(listener);
    if (set.size === 0) listeners.delete(topic);
  }

  /** Drops one reference; the last one sends UNSUBSCRIBE. Either way waits for a reply on the subscriber socket. */
  async function release(topic: string, channel: ChannelEntry, listener: FanoutListener): Promise<void> {
    try {
      channel.refs -= 1;
      if (channel.refs === 0 && channels.get(topic) === channel) {
        channels.delete(topic);
        // A subscribe() for this topic from now on sends SUBSCRIBE after this UNSUBSCRIBE on the same connection;
        // Redis applies them in order, so the channel ends up subscribed.
        await subscriber.unsubscribe(prefix + topic);
      } else {
        await subscriber.ping();
      }
    } catch (err) {
      if (!isClosed) throw unavailable(err);
      // close() already dropped every subscription along with the connection: nothing is left to undo.
    } finally {
      // Only now: a message whose PUBLISH was acknowledged before unsubscribe() sits ahead of this reply on the
      // subscriber socket, so it has been delivered; nothing published after unsubscribe() resolves will be.
      removeListener(topic, listener);
    }
  }

  return {
    async publish(topic: string, message: FanoutMessage) {
      guard();
      try {
        await publisher.publish(prefix + topic, JSON.stringify(message));
      } catch (err) {
        throw unavailable(err);
      }
    },

    async subscribe(topic: string, listener: FanoutListener): Promise<FanoutSubscription> {
      guard();
      // Wrap so the same function subscribed twice gets two independent subscriptions.
      const entry: FanoutListener = (m) => listener(m);
      let channel = channels.get(topic);
      if (channel === undefined) {
        const created: ChannelEntry = { refs: 0, ready: subscriber.subscribe(prefix + topic).then(() => undefined) };
        channels.set(topic, created);
        channel = created;
      }
      channel.refs += 1;
      let set = listeners.get(topic);
      if (set === undefined) listeners.set(topic, (set = new Set()));
      set.add(entry);
      const held = channel;
      try {
        await held.ready;
      } catch (err) {
        held.refs -= 1;
        // A failed SUBSCRIBE left nothing on Redis; forget it so the next subscribe() tries again.
        if (channels.get(topic) === held) channels.delete(topic);
        removeListener(topic, entry);
        throw unavailable(err);
      }
      let unsubscribing: Promise<void> | undefined;
      return {
        unsubscribe() {
          unsubscribing ??= release(topic, held, entry);
          return unsubscribing;
        },
      };
    },

    async close() {
      if (isClosed) return;
      isClosed = true;
      listeners.clear();
      channels.clear();
      const results = await Promise.allSettled([publisher.quit(), subscriber.quit()]);
      for (const result of results) {
        if (result.status === 'rejected') report(unavailable(result.reason));
      }
      // After a failed quit (Redis unreachable) the client would keep its reconnect loop alive; after a clean one
      // this is a no-op.
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}
