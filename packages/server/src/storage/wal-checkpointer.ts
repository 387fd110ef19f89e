// Moves SQLite's WAL checkpoints off the event loop: a worker thread with its own connection runs PASSIVE checkpoints,
// so the serving connection (wal_autocheckpoint = 0) never copies pages or fsyncs the database file while sockets wait.
// Must not write rows: it only checkpoints.
//
// Why that keeps durability: a checkpoint only copies frames already committed into the database file, and SQLite
// fsyncs the WAL before copying and the database after (synchronous = FULL on this connection). The serving
// connection starts the WAL over only once a checkpoint has copied every frame, so no acked message lives only in
// frames that get overwritten.
//
// Why the quiet window: a PASSIVE checkpoint never blocks the writer, but under a steady load the writer appends
// while it copies, it never catches up, and the WAL would grow without end (SQLite restarts the WAL only when a
// checkpoint has copied all of it). RESTART would catch up by making the writer wait on a lock, i.e. block the event
// loop. Instead, once the WAL passes `quietAfterPages`, the worker asks the owner to hold its group commits for one
// short PASSIVE pass (the frames written since the last pass plus one fsync): appends wait in memory, the event loop
// keeps running, and the next commit starts the WAL over.

import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface WalCheckpointerOptions {
  /** The database file (not the `-wal`). */
  path: string;
  /**
   * Pause between passes. Not shorter: a pass copies every page written since the last one and fsyncs twice, so
   * back-to-back passes under load would copy the same hot pages (a conversation's row, an index leaf) over and over
   * and fight the WAL's own fsyncs for the disk.
   */
  intervalMs?: number;
  /**
   * A WAL longer than this many pages (4 KiB each by default) gets a quiet-window pass. Each window holds commits for
   * a checkpoint's fsyncs, so windows should be rare: 16,384 pages (64 MiB) means about one a second at 10,000 msg/s.
   */
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

type WorkerReport = { type: 'quiet-request' } | { type: 'quiet-end' } | { type: 'error'; message: string };

/**
 * The worker's source. Evaluated, not loaded from a file, so the same code runs from src (tests) and dist (the bin);
 * it reaches the driver through the resolved path the parent passes in.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.path);
db.pragma('synchronous = FULL');
// A checkpoint reads and writes the files directly; a page cache would only hold memory.
db.pragma('cache_size = -64');
let timer;
let isStopped = false;
let isWaitingForQuiet = false;
function report(err) {
  parentPort.postMessage({ type: 'error', message: String((err && err.message) || err) });
}
function schedule(delayMs) {
  if (!isStopped) timer = setTimeout(pass, delayMs);
}
function pass() {
  timer = undefined;
  if (isStopped) return;
  let row;
  try {
    [row] = db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    report(err);
    return schedule(workerData.intervalMs);
  }
  // "log" is the WAL's length when this pass began: the writer may have appended since, so even a pass that copied
  // all of it leaves the WAL growing. Only a pass while the writer waits lets it start over; asked for right after
  // this pass, it has only this pass's worth of new pages to copy.
  if (row.log > workerData.quietAfterPages) {
    isWaitingForQuiet = true;
    parentPort.postMessage({ type: 'quiet-request' });
    return;
  }
  schedule(workerData.intervalMs);
}
parentPort.on('message', (message) => {
  if (message === 'quiet' && isWaitingForQuiet) {
    isWaitingForQuiet = false;
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch (err) {
      report(err);
    }
    parentPort.postMessage({ type: 'quiet-end' });
    schedule(workerData.intervalMs);
  } else if (message === 'stop') {
    isStopped = true;
    if (timer !== undefined) clearTimeout(timer);
    db.close();
    parentPort.close();
  }
});
schedule(workerData.intervalMs);
`;

/** A worker stuck in a quiet window (a disk that hangs) must not hold writes for longer than this. */
const MAX_QUIET_MS = 200;

export function startWalCheckpointer(options: WalCheckpointerOptions): WalCheckpointer {
  const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path: options.path, driverPath, intervalMs: options.intervalMs ?? 250, quietAfterPages: options.quietAfterPages ?? 16384 },
  });
  // A server that forgets to close its storage must still be able to exit.
  worker.unref();
  let isClosing = false;
  let hasFailed = false;
  let quietTimer: NodeJS.Timeout | undefined;
  const endQuiet = (): void => {
    if (quietTimer === undefined) return;
    clearTimeout(quietTimer);
    quietTimer = undefined;
    options.onQuietEnd();
  };
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', (report: WorkerReport) => {
    if (report.type === 'error') options.onError(new Error(`WAL checkpoint failed: ${report.message}`));
    else if (report.type === 'quiet-end') endQuiet();
    else {
      // Answered even while closing: the worker waits for it before its next pass.
      options.onQuietRequest(() => {
        quietTimer = setTimeout(endQuiet, MAX_QUIET_MS);
        worker.postMessage('quiet');
      });
    }
  });
  worker.on('error', (err) => {
    hasFailed = true;
    options.onError(err);
  });
  worker.once('exit', (code) => {
    endQuiet();
    if (!isClosing && !hasFailed) options.onError(new Error(`WAL checkpoint worker exited (code ${code})`));
  });
  return {
    async close() {
      if (isClosing) return exited;
      isClosing = true;
      endQuiet();
      worker.postMessage('stop');
      await exited;
    },
  };
}
