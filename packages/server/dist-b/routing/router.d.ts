import type { AgentInfo } from '@parley/protocol';
import type { ServerServices } from '../handlers/context.js';
import type { Transition } from '../storage/storage.js';
export type AssignmentMode = 'auto' | 'manual';
/** `createServer({ routing })`. */
export interface RoutingOptions {
    /** `auto`: queued conversations go to the least loaded, then longest idle, online agent. Default `manual`. */
    assignment?: AssignmentMode;
    /** How long a disconnected agent keeps their conversations before they go back to the queue. Default 30 s. */
    agentGraceMs?: number;
}
export declare const DEFAULT_AGENT_GRACE_MS = 30000;
export declare class Router {
    private readonly services;
    readonly assignment: AssignmentMode;
    readonly agentGraceMs: number;
    /** Sweep period: leases are renewed three times per lease, so one late sweep does not drop an agent. */
    readonly sweepMs: number;
    /** A lease not renewed for this long is dead. */
    readonly leaseMs: number;
    private timer;
    private sweeping;
    /** Per site, so one node never runs two drains of a site at once (they would only race each other). */
    private readonly siteChains;
    constructor(services: ServerServices, options?: RoutingOptions);
    /** Leases renewed at or after this are live. */
    liveSince(): number;
    /** True when some agent of the site is connected and `online`. */
    isStaffed(siteId: string): Promise<boolean>;
    /** The queue of a site changed (or an agent freed up): assign what can be assigned, then tell everyone. */
    queueChanged(siteId: string): Promise<void>;
    /** An agent connection finished its hello: in auto mode, waiting conversations may go to them at once. */
    agentArrived(siteId: string): Promise<void>;
    /** Starts the periodic sweep. */
    start(): void;
    /** Stops the sweep and waits for a running one and any queued site work. */
    stop(): Promise<void>;
    /** Renews leases, requeues abandoned chats, and (auto) drains sites that have agents here. */
    sweep(): Promise<void>;
    /** Tells the visitor and the site's agents that a conversation lost its agent (transfer or requeue). */
    announceLeft(transition: Transition, agent: AgentInfo): Promise<void>;
    /** Tells the visitor, the conversation and the site's agents who has the conversation now. */
    announceAssigned(transition: Transition, agent: AgentInfo, options?: {
        skipEvent?: boolean;
    }): Promise<void>;
    private drainAndBroadcastIfAssigned;
    /** Auto mode: hands queued conversations to the best agent, one at a time, until nobody can take more. */
    private drain;
    private serial;
}
