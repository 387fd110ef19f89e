import type { AgentLoad } from '../storage/routing-store.js';
/** Agents that may take one more conversation now, best first. */
export declare function rankAgents(loads: readonly AgentLoad[]): AgentLoad[];
