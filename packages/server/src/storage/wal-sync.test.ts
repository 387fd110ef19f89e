import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWalSync } from './wal-sync.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function walFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-wal-'));
  dirs.push(dir);
  const path = join(dir, 'db-wal');
  writeFileSync(path, 'frames');
  return path;
}

describe('createWalSync', () => {
  it('runs each callback once, after a sync, and batches callbacks that arrive while one is in flight', async () => {
    const sync = createWalSync(walFile());
    const calls: Array<[string, Error | undefined]> = [];
    sync.afterCommit((err) => calls.push(['a', err]));
    sync.afterCommit((err) => calls.push(['b', err]));
    sync.afterCommit((err) => calls.push(['c', err]));
    // Nothing runs synchronously: the fsync is on the thread pool.
    expect(calls).toEqual([]);
    await expect.poll(() => calls.length, { timeout: 5000 }).toBe(3);
    expect(calls).toEqual([['a', undefined], ['b', undefined], ['c', undefined]]);
    await sync.close();
  });

  it('syncNow settles every waiting callback before it returns, and the in-flight sync does not run them again', async () => {
    const sync = createWalSync(walFile());
    const calls: string[] = [];
    sync.afterCommit(() => calls.push('in-flight'));
    sync.afterCommit(() => calls.push('waiting'));
    sync.syncNow();
    expect(calls).toEqual(['in-flight', 'waiting']);
    sync.afterCommit(() => calls.push('later'));
    await expect.poll(() => calls.length, { timeout: 5000 }).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toEqual(['in-flight', 'waiting', 'later']);
    await sync.close();
  });

  it('says when a sync is in flight and calls onIdle once the last one ends with nothing waiting', async () => {
    const sync = createWalSync(walFile());
    const events: string[] = [];
    sync.onIdle(() => events.push('idle'));
    expect(sync.isSyncing()).toBe(false);
    sync.afterCommit(() => events.push('first'));
    expect(sync.isSyncing()).toBe(true);
    // Arrives during the first sync: it needs a second one, so no idle in between.
    sync.afterCommit(() => events.push('second'));
    await expect.poll(() => events.length, { timeout: 5000 }).toBe(3);
    expect(events).toEqual(['first', 'second', 'idle']);
    expect(sync.isSyncing()).toBe(false);
    await sync.close();
  });

  it('hands the error to the callbacks when the WAL cannot be synced', async () => {
    const sync = createWalSync(join(tmpdir(), 'parley-no-such-dir', 'db-wal'));
    const errors: Array<Error | undefined> = [];
    sync.afterCommit((err) => errors.push(err));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(Error);
    await sync.close();
  });

  it('close() waits for the sync in flight before it closes the descriptor', async () => {
    const sync = createWalSync(walFile());
    const calls: Array<Error | undefined | 'none'> = [];
    sync.afterCommit((err) => calls.push(err ?? 'none'));
    expect(sync.isSyncing()).toBe(true);
    await sync.close();
    // Settled (without EBADF) before close() resolved: the descriptor was still open for the whole sync.
    expect(calls).toEqual(['none']);
    expect(sync.isSyncing()).toBe(false);
  });
});
