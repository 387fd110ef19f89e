import type { DomainEvent } from './domain-events.js';
import { Registry } from './metrics.js';
/** One site's queue at scrape time. */
export interface QueueSnapshot {
    siteKey: string;
    length: number;
    /** When the longest-waiting conversation entered the queue; undefined when empty. */
    oldestQueuedAt: number | undefined;
}
export interface ServerMetricsOptions {
    /** Open sockets by endpoint role. */
    connections: () => {
        visitor: number;
        agent: number;
    };
    queues: () => Promise<QueueSnapshot[]>;
    now: () => number;
}
export interface ServerMetrics {
    readonly registry: Registry;
    onEvent(event: DomainEvent): void;
    /** An `error` frame sent on a socket, or an error answered by the REST API. */
    countError(code: string, transport: 'ws' | 'http'): void;
    countWebhook(event: string, outcome: 'delivered' | 'retried' | 'failed' | 'dropped'): void;
    render(): Promise<string>;
}
export declare function createServerMetrics(options: ServerMetricsOptions): ServerMetrics;
