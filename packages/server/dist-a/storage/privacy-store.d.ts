import type { Agent } from './storage.js';
/** What an erasure removed. Attachments are links to files Parley does not host; the operator deletes those. */
export interface ErasureResult {
    conversations: number;
    messages: number;
    attachmentUrls: string[];
}
/** What one retention pass removed. */
export interface RetentionResult {
    conversations: number;
    /** Visitors left with no conversation, created before the cutoff. */
    visitors: number;
}
/** An agent as an admin sees it. */
export interface AgentRecord extends Agent {
    createdAt: number;
    /** True once every credential was revoked (`disableAgent`): no token, no session, no password. */
    disabled: boolean;
}
export interface PrivacyStore {
    /** Ids of the visitor's conversations, oldest first. */
    listVisitorConversations(visitorId: string): Promise<string[]>;
    /**
     * Deletes the visitor and everything tied to them (conversations, messages, pages, transcript, ratings), in one
     * transaction, after pending writes landed. Undefined for an unknown visitor.
     */
    eraseVisitor(visitorId: string): Promise<ErasureResult | undefined>;
    /**
     * Deletes up to `limit` conversations closed before `closedBefore` (ms) with their messages, pages and ratings,
     * then visitors created before it who have no conversation left. Callers loop until it returns zeros.
     */
    applyRetention(input: {
        closedBefore: number;
        limit: number;
    }): Promise<RetentionResult>;
    /** Agents of a site, oldest first. */
    listAgents(siteId: string): Promise<AgentRecord[]>;
    /** Revokes token, sessions and password and marks the agent offline. False for an unknown agent. */
    disableAgent(agentId: string): Promise<boolean>;
}
