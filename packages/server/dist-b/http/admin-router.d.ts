import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Logger } from '../logger.js';
import type { Storage } from '../storage/storage.js';
import type { ConsoleAuth } from './auth.js';
export interface AdminRouterOptions {
    storage: Storage;
    auth: ConsoleAuth;
    logger: Logger;
    now: () => number;
    onError?: (code: string) => void;
    /** Called once an agent is disabled, to close their live sockets (revocation takes effect at once). */
    onAgentDisabled?: (agentId: string) => Promise<void>;
    /** Called once a visitor is erased, to close their live sockets. */
    onVisitorErased?: (visitorId: string) => Promise<void>;
    /** Deletes erased attachments where they are stored (Parley keeps only their URLs). */
    deleteAttachments?: (urls: string[]) => Promise<void>;
}
export declare function createAdminRouter(options: AdminRouterOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
