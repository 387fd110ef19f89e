import type { IncomingMessage, ServerResponse } from 'node:http';
export interface StaticHandlerOptions {
    /** Directory holding index.html and the assets. */
    dir: string;
    /** URL prefix with a trailing slash, e.g. `/console/`. */
    prefix: string;
    /**
     * Public assets for other sites' pages (the widget's loader, app and locales; FAQ files): no index.html fallback,
     * and `Access-Control-Allow-Origin: *` so a storefront on another origin can `fetch` the JSON ones.
     */
    isPublicAsset?: boolean;
}
/** Builds a handler for requests whose path starts with `prefix` (and for the bare prefix without its slash). */
export declare function createStaticHandler(options: StaticHandlerOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
