// Who gets the next queued conversation: online agents under capacity, least loaded first, then longest idle.
// Pure; the router reads the loads and storage makes the assignment atomic.

import type { AgentLoad } from '../storage/routing-store.js';

/** Agents that may take one more conversation now, best first. */
export function rankAgents(loads: readonly AgentLoad[]): AgentLoad[] {
  return loads
    .filter((l) => l.availability === 'online' && l.activeCount < l.capacity)
    .sort((a, b) => a.activeCount - b.activeCount || a.idleSinceMs - b.idleSinceMs || (a.agent.id < b.agent.id ? -1 : a.agent.id > b.agent.id ? 1 : 0));
}
