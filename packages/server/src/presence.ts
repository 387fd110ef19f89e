// Which agent connections are up, as leases in storage so every node sees them: put on hello, renewed by this
// node's sweep, removed on close. A node killed with -9 stops renewing and its leases lapse on their own.
// Writes are queued in order (a close never overtakes its own hello) and never throw: failures are logged.

import type { Logger } from './logger.js';
import { describeError } from './logger.js';
import type { Storage } from './storage/storage.js';

export class AgentPresence {
  /** This node's agent connections: connectionId → agent and site. */
  private readonly local = new Map<string, { agentId: string; siteId: string }>();
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: { storage: Storage; nodeId: string; now: () => number; logger: Logger },
  ) {}

  /** Records a new agent connection as `online`; resolves once stored. */
  connect(connectionId: string, agentId: string, siteId: string): Promise<void> {
    this.local.set(connectionId, { agentId, siteId });
    const { storage, nodeId, now } = this.deps;
    return this.enqueue('presence.put_failed', () =>
      storage.putAgentPresence({ connectionId, agentId, siteId, nodeId, availability: 'online', at: now() }),
    );
  }

  /** Forgets a connection (socket closed); a no-op for visitor connections. */
  delete(connectionId: string): void {
    if (!this.local.delete(connectionId)) return;
    void this.enqueue('presence.remove_failed', () => this.deps.storage.removeAgentPresence(connectionId, this.deps.now()));
  }

  /** Renews this node's leases as of `at` (the sweep calls it well within the lease). */
  renew(at: number): Promise<void> {
    if (this.local.size === 0) return Promise.resolve();
    return this.enqueue('presence.renew_failed', () => this.deps.storage.renewNodePresence(this.deps.nodeId, at));
  }

  /** Sites with an agent connected to this node. */
  localSites(): Set<string> {
    return new Set([...this.local.values()].map((e) => e.siteId));
  }

  /** Resolves when every write queued so far has finished. */
  settled(): Promise<void> {
    return this.tail;
  }

  private enqueue(event: string, write: () => Promise<void>): Promise<void> {
    this.tail = this.tail.then(write).catch((err: unknown) => this.deps.logger.error(event, describeError(err)));
    return this.tail;
  }
}
