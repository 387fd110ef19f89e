import type { AgentInfo, Availability } from '@parley/protocol';
import type { Transition } from './storage.js';
/** One live agent connection on one node. Live while `seenAt` is renewed within the lease. */
export interface PresenceLease {
    connectionId: string;
    agentId: string;
    siteId: string;
    nodeId: string;
    availability: Availability;
    at: number;
}
/** An agent with at least one live connection, and what they carry. */
export interface AgentLoad {
    agent: AgentInfo;
    /** The most available of their live connections: online > away > offline. */
    availability: Availability;
    capacity: number;
    /** Conversations assigned to them and not closed. */
    activeCount: number;
    /** Their last assignment, or when they connected if later: "longest idle" sorts on this, oldest first. */
    idleSinceMs: number;
}
/** Result of `assignNext`: which of the three things happened. */
export type AssignNextResult = {
    kind: 'assigned';
    transition: Transition;
}
/** No conversation of the site is waiting (or every one is being taken by someone else right now). */
 | {
    kind: 'empty';
}
/** The agent already holds `capacity` conversations. */
 | {
    kind: 'full';
};
/** Result of `transfer`; `refusal` says why nothing changed. */
export interface TransferResult extends Transition {
    /**
     * `not_assigned`: not (any more) assigned to the sender; `agent_unavailable`: the target has no live lease that
     * is `online` on the conversation's site; `agent_full`: the target holds `capacity` already.
     */
    refusal?: 'not_assigned' | 'agent_unavailable' | 'agent_full';
}
/** Whom a transfer goes to: an agent who must be online, with a lease renewed at or after `liveSinceMs`. */
export interface TransferTarget {
    agent: AgentInfo;
    liveSinceMs: number;
}
/** A conversation whose agent disappeared and that went back to the queue. */
export interface RequeuedConversation {
    siteId: string;
    /** The agent who left it. */
    agent: AgentInfo;
    transition: Transition;
}
/** Capacity of an agent who never said: a few chats at once is the usual setting in support tools. */
export declare const DEFAULT_AGENT_CAPACITY = 3;
export interface RoutingStore {
    /** Records or refreshes one agent connection's lease and availability. */
    putAgentPresence(lease: PresenceLease): Promise<void>;
    /** Ends one connection's lease; the agent counts as last seen at `at`. Unknown ids are ignored. */
    removeAgentPresence(connectionId: string, at: number): Promise<void>;
    /** Renews every lease held by one node: its heartbeat. A killed node stops renewing and its leases lapse. */
    renewNodePresence(nodeId: string, at: number): Promise<void>;
    /** Sets how many conversations automatic assignment may give the agent at once (0–100). */
    setAgentCapacity(agentId: string, capacity: number): Promise<void>;
    /** Agents of a site with a lease renewed at or after `liveSinceMs`. */
    listAgentLoads(siteId: string, liveSinceMs: number): Promise<AgentLoad[]>;
    /**
     * Gives the site's oldest queued conversation to `agent` if they hold fewer than their capacity. Atomic across
     * nodes: the agent's row is locked for the count, the conversation is taken with a conditional update.
     */
    assignNext(siteId: string, agent: AgentInfo): Promise<AssignNextResult>;
    /**
     * Moves an assigned conversation from `fromAgentId` to `to`, or back to the queue when `to` is undefined, with an
     * event message. Refused (`changed: false`) when it is not assigned to `fromAgentId` (any more), when `to` is not
     * online on the conversation's site, or when `to` already holds their capacity: both checked under the target's
     * row lock (the one `assignNext` takes) in the move's transaction, so an agent who just went away or offline is
     * not handed a visitor.
     */
    transfer(conversationId: string, fromAgentId: string, from: AgentInfo, to: TransferTarget | undefined): Promise<TransferResult>;
    /**
     * Puts back in the queue every assigned conversation whose agent has no lease renewed since `liveSinceMs` and was
     * last seen before `goneBeforeMs`. Each conversation moves once even when several nodes sweep at the same time.
     */
    requeueAbandoned(input: {
        liveSinceMs: number;
        goneBeforeMs: number;
    }): Promise<RequeuedConversation[]>;
    /**
     * Deletes leases last renewed before `beforeMs` (their node is gone), first raising each agent's last-seen time to
     * the lease's, so `requeueAbandoned` judges them the same afterwards.
     */
    purgeLapsedPresence(beforeMs: number): Promise<void>;
    /** Up to `limit` most recent waits (queued → assigned, ms) of a site, oldest first. */
    listRecentWaits(siteId: string, limit: number): Promise<number[]>;
}
