import type { Agent, AgentRole, Storage } from './storage/storage.js';
/**
 * Avatars reach every shopper's page as an `<img src>`: only absolute http(s) URLs, so a `javascript:` or `data:`
 * URL is refused here rather than trusted to each client's own check.
 */
export declare function checkAvatarUrl(avatarUrl: string): void;
/** What createServer().createAgent and `parley-server create-agent` accept. */
export interface NewAgentInput {
    name: string;
    avatarUrl?: string;
    siteKey?: string;
    /** Login e-mail for the console; needs `password`. */
    email?: string;
    password?: string;
    role?: AgentRole;
}
/** Lowercased and trimmed: e-mails are compared case-insensitively. */
export declare function normalizeEmail(email: string): string;
export declare function createAgentRecord(storage: Storage, input: NewAgentInput): Promise<{
    agent: Agent;
    token: string;
}>;
