import { mkdtempSync, rmSync } from 'node:fs';
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

  it('refuses a database from a newer server with STORAGE_UNAVAILABLE', () => {
    const path = join(dir, 'newer.db');
    const db = new Database(path);
    db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (999);');
    db.close();
    expect(() => createSqliteStorage({ path })).toThrow(expect.objectContaining({ code: 'STORAGE_UNAVAILABLE' }));
  });
});
