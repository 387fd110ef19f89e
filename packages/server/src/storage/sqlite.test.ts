import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createSqliteStorage, SQLITE_SCHEMA_VERSION } from './sqlite.js';
import { runStorageContract } from './storage-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'parley-sqlite-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runStorageContract('sqlite :memory:', () => createSqliteStorage({ path: ':memory:' }));
runStorageContract('sqlite file', () => createSqliteStorage({ path: join(dir, `db-${n++}`, 'parley.db') }));

describe('createSqliteStorage', () => {
  it('uses WAL with synchronous=FULL and records the schema version', async () => {
    const path = join(dir, 'pragmas.db');
    const storage = createSqliteStorage({ path });
    await storage.close();
    const db = new Database(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT version FROM schema_version').get()).toEqual({ version: SQLITE_SCHEMA_VERSION });
    db.close();
  });

  it('keeps data across reopen and migrates only once', async () => {
    const path = join(dir, 'reopen.db');
    const first = createSqliteStorage({ path });
    const site = await first.getDefaultSite();
    const visitor = await first.createVisitor(site.id);
    const { conversation } = await first.startConversation({ siteId: site.id, visitorId: visitor.id, clientId: 's' });
    await first.appendMessage({ conversationId: conversation.id, clientId: 'm', author: { role: 'visitor', id: visitor.id }, kind: 'text', text: 'hi' });
    await first.close();
    const second = createSqliteStorage({ path });
    expect((await second.getConversation(conversation.id))!.lastSeq).toBe(1);
    await second.close();
  });

  it('drain() writes and acks appends queued while an fsync runs (the group commit then waits, unscheduled)', async () => {
    const path = join(dir, 'drain.db');
    const storage = createSqliteStorage({ path });
    const site = await storage.getDefaultSite();
    const visitor = await storage.createVisitor(site.id);
    const { conversation } = await storage.startConversation({ siteId: site.id, visitorId: visitor.id, clientId: 's' });
    const reader = new Database(path, { readonly: true });
    const count = () => (reader.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n;
    const append = (clientId: string) =>
      storage.appendMessage({ conversationId: conversation.id, clientId, author: { role: 'visitor', id: visitor.id }, kind: 'text', text: clientId });
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    // Each round: A commits and its fdatasync starts; B queues behind it, and its group commit finds the fsync still
    // running (usually: the disk decides) and leaves B queued. drain() must write B there and then.
    for (let round = 0; round < 20; round++) {
      const a = append(`a${round}`);
      await turn();
      let isAcked = false;
      const b = append(`b${round}`).then(() => (isAcked = true));
      await turn();
      await storage.drain();
      expect(count()).toBe(2 * (round + 1));
      await b;
      expect(isAcked).toBe(true);
      await a;
    }
    reader.close();
    await storage.close();
  });

  it('refuses a database from a newer server with STORAGE_UNAVAILABLE', () => {
    const path = join(dir, 'newer.db');
    const db = new Database(path);
    db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (999);');
    db.close();
    expect(() => createSqliteStorage({ path })).toThrow(expect.objectContaining({ code: 'STORAGE_UNAVAILABLE' }));
  });
});

/** Another process (a second node) that holds the file's write lock for 300 ms. */
function holdWriteLock(path: string) {
  const holder = spawn(
    process.execPath,
    [
      '-e',
      `const Database = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))});
       const db = new Database(${JSON.stringify(path)});
       db.exec('BEGIN IMMEDIATE');
       db.prepare("UPDATE sites SET created_at = created_at WHERE id = 'site_demo'").run();
       process.stdout.write('locked\\n');
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
       db.exec('COMMIT');
       db.close();`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return {
    locked: new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve())),
    exited: once(holder, 'exit'),
  };
}

describe('two processes on one SQLite file', () => {
  it('a write that starts with a read waits for the other process to release the write lock instead of failing', async () => {
    const path = join(dir, 'two-processes.db');
    const storage = createSqliteStorage({ path });
    const site = await storage.getDefaultSite();
    const visitor = await storage.createVisitor(site.id);
    const holder = holdWriteLock(path);
    await holder.locked;
    // startConversation reads (an existing start?) before it inserts: a deferred transaction would get SQLITE_BUSY here.
    const { conversation, created } = await storage.startConversation({ siteId: site.id, visitorId: visitor.id, clientId: 'while-locked' });
    expect(created).toBe(true);
    expect(conversation.visitorId).toBe(visitor.id);
    await holder.exited;
    await storage.close();
  });

  it('an enqueue of webhooks (a count, then inserts) waits for the other process too', async () => {
    const path = join(dir, 'two-processes-outbox.db');
    const storage = createSqliteStorage({ path });
    await storage.getDefaultSite();
    const holder = holdWriteLock(path);
    await holder.locked;
    const delivery = { id: 'wh_while-locked', url: 'http://127.0.0.1:1/hooks', event: 'rating.created', body: '{}', createdAt: Date.now() };
    expect(await storage.enqueueWebhooks([delivery], { owner: 'n_test', until: Date.now() + 60_000 }, 10)).toBe(1);
    expect(await storage.countWebhooks()).toBe(1);
    await holder.exited;
    await storage.close();
  });
});
