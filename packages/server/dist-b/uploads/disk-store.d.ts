import { type ReadStream, type WriteStream } from 'node:fs';
/** What the server records about one upload. `url` is exactly what it handed out; `owner` is who uploaded it. */
export interface StoredUpload {
    id: string;
    name: string;
    mime: string;
    size: number;
    url: string;
    owner: string;
    createdAt: number;
}
export interface PendingUpload {
    readonly id: string;
    readonly stream: WriteStream;
    /** Renames the finished file into place and writes its record. */
    commit(record: Omit<StoredUpload, 'id'>): Promise<StoredUpload>;
    /** Removes the partial file. */
    discard(): Promise<void>;
}
export interface UploadStore {
    readonly dir: string;
    begin(): PendingUpload;
    get(id: string): Promise<StoredUpload | undefined>;
    open(id: string): ReadStream;
    /** Deletes uploads by the URLs that were handed out; unknown URLs are skipped. */
    deleteByUrls(urls: readonly string[]): Promise<number>;
}
export declare const UPLOAD_ID: RegExp;
/** The upload id in a URL this server issued (`…/uploads/<id>`), or undefined. */
export declare function uploadIdFromUrl(url: string): string | undefined;
export declare function createDiskUploadStore(dir: string): UploadStore;
