import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Logger } from '../logger.js';
import type { Storage } from '../storage/storage.js';
import { type ConsoleAuth } from './auth.js';
export interface ApiRouterOptions {
    storage: Storage;
    auth: ConsoleAuth;
    logger: Logger;
    now: () => number;
    /** Called with the code of every error answered (metrics). */
    onError?: (code: string) => void;
    /** Presence leases renewed at or after this are live (the router's cut-off); default: every lease counts. */
    liveSince?: () => number;
}
/** Builds the /api request handler. Every answer is JSON; errors are `{code, message}`. */
export declare function createApiRouter(options: ApiRouterOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
