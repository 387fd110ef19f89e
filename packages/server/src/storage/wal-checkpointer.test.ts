import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createSqliteStorage } from './sqlite.js';
import { startWalCheckpointer } from './wal-checkpointer.js';

const dir = mkdtempSync(join(tmpdir(), 'parley-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const size = (path: string): number => statSync(path, { throwIfNoEntry: false })?.size ?? 0;

describe('WAL checkpoints off the event loop', () => {
  /** A conversation and ~3 MB of appended frames in group commits: far past the 1,000 pages at which SQLite's own checkpoint would run. */
  async function writeMessages(storage: ReturnType<typeof createSqliteStorage>): Promise<void> {
    const site = await storage.getDefaultSite();
    const visitor = await storage.createVisitor(site.id);
    const { conversation } = await storage.startConversation({ siteId: site.id, visitorId: visitor.id, clientId: 's' });
    const text = 'x'.repeat(1000);
    for (let batch = 0; batch < 30; batch++) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          storage.appendMessage({ conversationId: conversation.id, clientId: `m${batch}-${i}`, author: { role: 'visitor', id: visitor.id }, kind: 'text', text }),
        ),
      );
    }
  }

  it('the serving connection never checkpoints by itself', async () => {
    const path = join(dir, 'no-autocheckpoint.db');
    // The worker's first pass an hour away: only the serving connection could copy the WAL into the file now.
    const storage = createSqliteStorage({ path, checkpointIntervalMs: 3_600_000 });
    await storage.getDefaultSite();
    const before = size(path);
    await writeMessages(storage);
    // Only a checkpoint writes pages into the database file; SQLite's automatic one would have by now.
    expect(size(path)).toBe(before);
    expect(size(`${path}-wal`)).toBeGreaterThan(2_000_000);
    await storage.close();
  });

  it('the worker copies the WAL into the database file', async () => {
    const path = join(dir, 'serving.db');
    const storage = createSqliteStorage({ path });
    await storage.getDefaultSite();
    const before = size(path);
    await writeMessages(storage);
    await expect.poll(() => size(path), { timeout: 10_000, interval: 50 }).toBeGreaterThan(before + 2_000_000);
    await storage.close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT COUNT(*) AS n FROM messages').get()).toEqual({ n: 3000 });
    db.close();
  });

  it('asks for a quiet window past quietAfterPages, so a writer that never pauses still gets a WAL that starts over', async () => {
    const path = join(dir, 'quiet.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (v TEXT)');
    const errors: Error[] = [];
    let isQuiet = false;
    let quietWindows = 0;
    const checkpointer = startWalCheckpointer({
      path,
      intervalMs: 10,
      quietAfterPages: 50,
      onQuietRequest: (ready) => {
        isQuiet = true;
        quietWindows++;
        ready();
      },
      onQuietEnd: () => {
        isQuiet = false;
      },
      onError: (err) => errors.push(err),
    });
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const blob = 'y'.repeat(100);
    let rows = 0;
    const until = Date.now() + 5000;
    // Commits back to back except inside quiet windows: the gaps between them are far shorter than a checkpoint's
    // fsync, so PASSIVE alone would never catch up.
    while (Date.now() < until && quietWindows < 3) {
      if (!isQuiet) {
        insert.run(blob);
        rows++;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await checkpointer.close();
    expect(errors).toEqual([]);
    expect(quietWindows).toBe(3);
    expect(isQuiet).toBe(false);
    expect((db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n).toBe(rows);
    // "log" counts the frames since the WAL last started over. Every insert commits at least one frame, so without a
    // restart it would be at least `rows`.
    const [result] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>;
    expect(result!.log).toBeLessThan(rows);
    db.close();
  });

  it('reports a worker that cannot open the database', async () => {
    const errors: Error[] = [];
    const checkpointer = startWalCheckpointer({
      path: join(dir, 'missing-dir', 'x.db'),
      onQuietRequest: (ready) => ready(),
      onQuietEnd: () => {},
      onError: (err) => errors.push(err),
    });
    await expect.poll(() => errors.length, { timeout: 5000 }).toBeGreaterThan(0);
    expect(errors[0]!.message).toMatch(/directory|open/i);
    await checkpointer.close();
  });
});
