type Done = (err?: Error) => void;
export interface WalSync {
    /** Calls `done` once everything committed before this call is on disk (with the error if the sync failed). */
    afterCommit(done: Done): void;
    /** Blocks until every commit so far is on disk and runs the waiting callbacks before returning. */
    syncNow(): void;
    close(): void;
}
export declare function createWalSync(walPath: string): WalSync;
export {};
