// In-process Fanout for a single node: synchronous delivery in publish order. Must not hold frames or retry.

import type { Fanout, FanoutListener, FanoutMessage, FanoutSubscription } from './fanout.js';

/**
 * A Fanout for one process. A listener that throws is reported through `onListenerError` and does not stop
 * delivery to the others.
 */
export function createMemoryFanout(options: { onListenerError?: (err: unknown, topic: string) => void } = {}): Fanout {
  const topics = new Map<string, Set<FanoutListener>>();
  let isClosed = false;
  return {
    async publish(topic: string, message: FanoutMessage) {
      const listeners = topics.get(topic);
      if (listeners === undefined || isClosed) return;
      // Copy: a listener may unsubscribe (or subscribe others) while we iterate.
      for (const listener of [...listeners]) {
        try {
          listener(message);
        } catch (err) {
          if (options.onListenerError === undefined) throw err;
          options.onListenerError(err, topic);
        }
      }
    },
    async subscribe(topic: string, listener: FanoutListener): Promise<FanoutSubscription> {
      let listeners = topics.get(topic);
      if (listeners === undefined) topics.set(topic, (listeners = new Set()));
      // Wrap so the same function subscribed twice gets two independent subscriptions.
      const entry: FanoutListener = (m) => listener(m);
      listeners.add(entry);
      return {
        async unsubscribe() {
          const set = topics.get(topic);
          if (set === undefined) return;
          set.delete(entry);
          if (set.size === 0) topics.delete(topic);
        },
      };
    },
    async close() {
      isClosed = true;
      topics.clear();
    },
  };
}
