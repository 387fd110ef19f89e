import type { BucketRate } from '../rate-limit.js';
import { type UploadStore } from './disk-store.js';
import { type UploadType } from './sniff.js';
export interface UploadOptions {
    /** Folder for the files. Default: `uploads/` beside the SQLite file; a temporary folder (removed on close) otherwise. */
    dir?: string;
    /** Largest upload in bytes. Default 10 MB. */
    maxBytes?: number;
    /** Accepted types (decided from the bytes). Default: all of `UPLOAD_TYPES`. */
    allowedTypes?: readonly UploadType[];
    /** Uploads per visitor or agent; each client IP gets ten times this. Default 10 at once, then one every 3 s. */
    rate?: BucketRate;
    /** Public base URL of this server (`https://chat.example`), used in the URLs handed out. Default: the request's Host. */
    publicUrl?: string;
}
export interface ResolvedUploads {
    store: UploadStore;
    maxBytes: number;
    allowedTypes: readonly UploadType[];
    rate: BucketRate;
    publicUrl?: string;
    /** Removes a temporary folder; a configured one is kept. */
    dispose(): void;
}
export declare function resolveUploads(options: UploadOptions, dbPath: string | undefined): ResolvedUploads;
