import type { ServerFrame } from '@parley/protocol';
/** What travels on a topic: the frame, plus whom to leave out (the sender's own sockets for typing, say). */
export interface FanoutMessage {
    frame: ServerFrame;
    /** Subscribers acting for this subject (visitorId or agentId) skip the frame. */
    exceptSubjectId?: string;
    /** The subscriber with this connection id skips the frame (it already got the reply). */
    exceptConnectionId?: string;
}
export type FanoutListener = (message: FanoutMessage) => void;
/** Unsubscribing is idempotent. */
export interface FanoutSubscription {
    unsubscribe(): Promise<void>;
}
export interface Fanout {
    /** Delivers to every current subscriber of `topic`. Resolves once handed to the transport, not on receipt. */
    publish(topic: string, message: FanoutMessage): Promise<void>;
    /** Resolves once the subscription is live: a publish that starts afterwards reaches `listener`. */
    subscribe(topic: string, listener: FanoutListener): Promise<FanoutSubscription>;
    close(): Promise<void>;
}
/** Topic of one conversation's members. */
export declare const conversationTopic: (conversationId: string) => string;
/** Topic of every connection of one visitor (queue position, agent joined). */
export declare const visitorTopic: (visitorId: string) => string;
/** Topic of every agent connection of one site (queue snapshots). */
export declare const siteAgentsTopic: (siteId: string) => string;
/** Topic of every connection of one agent: a closing `error` published here (revocation) ends them all. */
export declare const agentTopic: (agentId: string) => string;
/** Topic of the connections that authenticated with one agent credential (by its SHA-256): a logout ends just those. */
export declare const credentialTopic: (tokenHash: string) => string;
