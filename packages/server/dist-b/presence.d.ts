import type { Logger } from './logger.js';
import type { Storage } from './storage/storage.js';
export declare class AgentPresence {
    private readonly deps;
    /** This node's agent connections: connectionId → agent and site. */
    private readonly local;
    private tail;
    constructor(deps: {
        storage: Storage;
        nodeId: string;
        now: () => number;
        logger: Logger;
    });
    /** Records a new agent connection as `online`; resolves once stored. */
    connect(connectionId: string, agentId: string, siteId: string): Promise<void>;
    /** Forgets a connection (socket closed); a no-op for visitor connections. */
    delete(connectionId: string): void;
    /** Renews this node's leases as of `at` (the sweep calls it well within the lease). */
    renew(at: number): Promise<void>;
    /** Sites with an agent connected to this node. */
    localSites(): Set<string>;
    /** Resolves when every write queued so far has finished. */
    settled(): Promise<void>;
    private enqueue;
}
