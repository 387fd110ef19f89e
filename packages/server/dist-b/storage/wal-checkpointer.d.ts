export interface WalCheckpointerOptions {
    /** The database file (not the `-wal`). */
    path: string;
    /** Pause between checkpoints while the WAL is small. */
    idleIntervalMs?: number;
    /** A WAL longer than this many pages (4 KiB each by default) gets a quiet-window pass. */
    quietAfterPages?: number;
    /** Asked to hold group commits; must call `ready` (at once or soon) from then until `onQuietEnd`. */
    onQuietRequest: (ready: () => void) => void;
    /** The quiet-window pass is over (or the worker is gone): writes may go on. */
    onQuietEnd: () => void;
    /** A checkpoint that failed, or the worker that stopped; the serving connection then checkpoints by itself. */
    onError: (err: Error) => void;
}
export interface WalCheckpointer {
    /** Stops the worker and closes its connection; resolves once it has. */
    close(): Promise<void>;
}
export declare function startWalCheckpointer(options: WalCheckpointerOptions): WalCheckpointer;
