import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Logger } from '../logger.js';
export interface HealthOptions {
    isDraining: () => boolean;
    /** Each check resolves when its dependency answers; a rejection or a timeout marks the node not ready. */
    checks: Readonly<Record<string, () => Promise<unknown>>>;
    /** How long one check may take. Default 2000 ms. */
    timeoutMs?: number;
    logger: Logger;
}
export type ProbeHandler = (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean>;
/** Handles `/healthz` and `/readyz`; resolves false for any other path. */
export declare function createHealthHandler(options: HealthOptions): ProbeHandler;
