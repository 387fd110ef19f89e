import type { IncomingMessage } from 'node:http';
import { type BucketRate } from '../rate-limit.js';
import type { Agent, Storage } from '../storage/storage.js';
/** What the console learns about the signed-in agent. */
export interface AgentProfile {
    id: string;
    name: string;
    email?: string;
    role: Agent['role'];
    avatarUrl?: string;
    availability: Agent['availability'];
}
export declare function toAgentProfile(agent: Agent): AgentProfile;
export interface ConsoleAuthOptions {
    storage: Storage;
    now: () => number;
    /** How long a login session lasts. */
    sessionTtlMs: number;
    /** Login attempts per client IP. */
    loginRate: BucketRate;
    /** Called after a logout, to close the sockets that authenticated with that session's token. */
    onSessionEnded?: (tokenHash: string) => Promise<void>;
}
export interface ConsoleAuth {
    /** The agent behind `Authorization: Bearer <token>`; rejects with AUTH_INVALID_TOKEN. */
    authenticate(req: IncomingMessage): Promise<{
        agent: Agent;
        tokenHash: string;
    }>;
    /** Checks e-mail and password; rejects with RATE_LIMITED, PROTOCOL_BAD_FRAME or AUTH_INVALID_TOKEN. */
    login(ip: string, body: Record<string, unknown>): Promise<{
        token: string;
        expiresAt: number;
        agent: AgentProfile;
    }>;
    logout(tokenHash: string): Promise<void>;
    /** Forgets full buckets; called from the server's sweep. */
    sweep(): void;
}
export declare function createConsoleAuth(options: ConsoleAuthOptions): ConsoleAuth;
