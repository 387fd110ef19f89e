import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Logger } from '../logger.js';
import { type BucketRate } from '../rate-limit.js';
import type { Storage } from '../storage/storage.js';
/** Per client address: a page load needs two (config, FAQ); reloads and many tabs fit in the burst. */
export declare const PUBLIC_RATE: BucketRate;
/**
 * The widget reads the config on every first open: it stays small. The settings' own bounds (a 500-character
 * greeting, 7 days of hours) keep it under 4 KB; this is the backstop.
 */
export declare const MAX_PUBLIC_CONFIG_BYTES: number;
/** The site config the widget reads (`GET /api/sites/:key/public`). */
export interface PublicSiteConfig {
    key: string;
    theme?: {
        color?: string;
        position?: 'left' | 'right';
        greeting?: string;
    };
    businessHours?: {
        timezone: string;
        days: Array<{
            day: number;
            open: string;
            close: string;
        }>;
    };
    /** Within the business hours now (true without hours). */
    isOpen: boolean;
    ratingScale: 'csat' | 'ces' | 'nps';
    preChat: Array<'name' | 'email'>;
    /** Whether this server can e-mail a transcript (`transcript.email`). */
    transcriptEmail: boolean;
    faqUrl?: string;
}
export interface PublicSiteHandler {
    /** True when `path` is `/api/sites/:key/public`. */
    ownsConfigPath(path: string): boolean;
    /** `GET /api/sites/:key/public`: 404 for an unknown site. */
    serveConfig(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
    /** `/faq/:key.json` from storage; false (nothing sent) when the site has no saved FAQ, so asset folders may answer. */
    serveFaq(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean>;
}
export declare function createPublicSiteHandler(options: {
    storage: Storage;
    logger: Logger;
    now?: () => number;
    rate?: BucketRate;
    /** Whether transcript e-mails are set up (SMTP). */
    canEmailTranscript?: boolean;
}): PublicSiteHandler;
