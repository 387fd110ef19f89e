// Which agent connections are up on this node, per site, and their availability. In memory, single node only:
// a multi-node deployment needs this in the fanout layer (TODO(#2): presence over Redis).

import type { Availability } from '@parley/protocol';

export class AgentPresence {
  private readonly byConnection = new Map<string, { siteId: string; availability: Availability }>();

  set(connectionId: string, siteId: string, availability: Availability): void {
    this.byConnection.set(connectionId, { siteId, availability });
  }

  delete(connectionId: string): void {
    this.byConnection.delete(connectionId);
  }

  /** Agent connections of a site that are not `offline`. */
  countAvailable(siteId: string): number {
    let n = 0;
    for (const entry of this.byConnection.values()) if (entry.siteId === siteId && entry.availability !== 'offline') n++;
    return n;
  }
}
