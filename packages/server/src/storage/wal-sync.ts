// Makes SQLite group commits durable off the event loop: the commit is written to the WAL without an fsync
// (synchronous=NORMAL for that transaction only) and this module fdatasyncs the WAL file on libuv's thread pool.
// Commits that land while one sync is in flight share the next one, so under load one fsync covers many batches
// and the event loop keeps reading sockets instead of waiting on the disk.
//
// Why that is as durable as synchronous=FULL: a WAL commit is a set of frames ending in a commit frame; once those
// bytes are on disk, recovery replays them. fdatasync on any descriptor of the file flushes all of its written
// pages, so after it returns every commit written before the call survives power loss. SQLite itself syncs the
// WAL before every checkpoint in NORMAL mode, so a WAL reset never drops frames that were not yet in the database.

import { closeSync, fdatasync, fdatasyncSync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

type Done = (err?: Error) => void;

export interface WalSync {
  /** Calls `done` once everything committed before this call is on disk (with the error if the sync failed). */
  afterCommit(done: Done): void;
  /** True while an fdatasync runs on the thread pool. */
  isSyncing(): boolean;
  /** Runs `listener` each time a sync finishes with no commit waiting for the next one. */
  onIdle(listener: () => void): void;
  /** Blocks until every commit so far is on disk and runs the waiting callbacks before returning. */
  syncNow(): void;
  /**
   * Closes the WAL descriptor once the running fdatasync (if any) has ended: closed under it, the sync would fail
   * with EBADF, or sync whatever file reused the number and ack commits that are not on disk.
   */
  close(): Promise<void>;
}

export function createWalSync(walPath: string): WalSync {
  let fd: number | undefined;
  let inFlight = false;
  /** Callbacks the running fdatasync covers; emptied in place by syncNow so they run once. */
  let covered: Done[] = [];
  /** Callbacks whose commits were written after the running sync started: they need the next one. */
  let waiting: Done[] = [];
  let closed = false;
  let idleListener: (() => void) | undefined;
  /** close() waiting for the running fdatasync to end. */
  let onSettled: (() => void) | undefined;

  function descriptor(): number {
    if (fd === undefined) {
      // Opened on first use: the WAL file exists once a commit has been written to it.
      fd = openSync(walPath, 'r');
      // The WAL may have just been created; make its directory entry durable once, as SQLite does for FULL.
      const dir = openSync(dirname(walPath), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    }
    return fd;
  }

  function settle(callbacks: Done[], err?: Error): void {
    for (const done of callbacks) done(err);
  }

  function start(): void {
    let target: number;
    try {
      target = descriptor();
    } catch (err) {
      settle(waiting.splice(0), err as Error);
      return;
    }
    inFlight = true;
    const batch = (covered = waiting);
    waiting = [];
    fdatasync(target, (err) => {
      inFlight = false;
      settle(batch.splice(0), err ?? undefined);
      if (closed) onSettled?.();
      else if (waiting.length > 0) start();
      else idleListener?.();
    });
  }

  return {
    afterCommit(done) {
      waiting.push(done);
      if (!inFlight) start();
    },
    isSyncing: () => inFlight,
    onIdle(listener) {
      idleListener = listener;
    },
    syncNow() {
      if (covered.length === 0 && waiting.length === 0) return;
      const all = covered.splice(0).concat(waiting.splice(0));
      try {
        fdatasyncSync(descriptor());
      } catch (err) {
        settle(all, err as Error);
        return;
      }
      settle(all);
    },
    async close() {
      closed = true;
      if (inFlight) await new Promise<void>((resolve) => (onSettled = resolve));
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
