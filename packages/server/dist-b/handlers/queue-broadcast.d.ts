import type { QueueEntry } from '@parley/protocol';
import type { ServerServices } from './context.js';
/** The site's queue as wire entries, each with the visitor it belongs to. */
export declare function queueEntries(services: ServerServices, siteId: string): Promise<Array<{
    entry: QueueEntry;
    visitorId: string;
}>>;
export declare function broadcastQueue(services: ServerServices, siteId: string): Promise<void>;
