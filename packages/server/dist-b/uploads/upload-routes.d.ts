import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConsoleAuth } from '../http/auth.js';
import { type Logger } from '../logger.js';
import { type BucketRate } from '../rate-limit.js';
import type { Storage } from '../storage/storage.js';
import type { VisitorTokens } from '../token.js';
import type { UploadStore } from './disk-store.js';
import { type UploadType } from './sniff.js';
/** 10 MB: a phone photo or a scanned invoice, not a video. */
export declare const DEFAULT_MAX_UPLOAD_BYTES: number;
/** Per uploader: 10 at once, then one every 3 s. Each IP gets ten uploaders' worth. */
export declare const DEFAULT_UPLOAD_RATE: BucketRate;
export declare const FILENAME_HEADER = "x-parley-filename";
export interface UploadRoutesOptions {
    store: UploadStore;
    storage: Storage;
    tokens: VisitorTokens;
    auth: ConsoleAuth;
    logger: Logger;
    now: () => number;
    maxBytes: number;
    allowedTypes: readonly UploadType[];
    rate: BucketRate;
    /** Base of the URLs handed out (`https://chat.example`); without it, the request's Host. */
    publicUrl?: string;
    allowedOrigins: '*' | readonly string[];
    consoleOrigins: readonly string[];
    exemptAddresses?: readonly string[];
    onError?: (code: string) => void;
}
export interface UploadRoutes {
    owns(path: string): boolean;
    handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
    sweep(): void;
}
/** A file name as plain text: no path, no control characters, bounded. The bytes never depend on it. */
export declare function cleanFileName(raw: string | undefined): string;
export declare function createUploadRoutes(options: UploadRoutesOptions): UploadRoutes;
