import type { IncomingMessage, ServerResponse } from 'node:http';
export interface MetricsEndpointOptions {
    render: () => Promise<string>;
    /** When set, scrapes must send `Authorization: Bearer <token>`. */
    token?: string;
}
export declare function createMetricsEndpoint(options: MetricsEndpointOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
