// Runs the Storage contract and Postgres-only checks (migrations, concurrency across pools) when DATABASE_URL is set.

import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { ParleyError } from '@parley/protocol';
import { startFaultProxy } from '../../../../tests/support/fault-proxy.js';
import { createPostgresStorage, POSTGRES_SCHEMA_VERSION } from './postgres.js';
import { runStorageContract } from './storage-contract.js';
import type { Storage } from './storage.js';

const DATABASE_URL = process.env.DATABASE_URL;

// Every storage gets its own schema, so tests (and parallel runs) never see each other's rows; all are dropped at
// the end. The contract needs an empty storage per test, hence one schema per makeStorage call, not per file.
const runId = randomBytes(4).toString('hex');
const schemas: string[] = [];
function nextSchema(): string {
  const schema = `parley_test_${runId}_${schemas.length}`;
  schemas.push(schema);
  return schema;
}

afterAll(async () => {
  if (DATABASE_URL === undefined || schemas.length === 0) return;
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
});

const makeStorage = (schema = nextSchema(), poolSize?: number): Promise<Storage> =>
  createPostgresStorage({ connectionString: DATABASE_URL!, schema, ...(poolSize === undefined ? {} : { poolSize }) });

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return err instanceof ParleyError ? err.code : `not a ParleyError: ${String(err)}`;
  }
  return undefined;
}

describe.skipIf(DATABASE_URL === undefined)('postgres', () => {
  runStorageContract('postgres', () => makeStorage());

  describe('createPostgresStorage', () => {
    it('migrates once even when several nodes start at the same moment', async () => {
      const schema = nextSchema();
      const nodes = await Promise.all([1, 2, 3, 4].map(() => makeStorage(schema, 2)));
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      try {
        const { rows } = await client.query(`SELECT version FROM ${schema}.schema_version`);
        expect(rows).toEqual([{ version: POSTGRES_SCHEMA_VERSION }]);
        const sites = await client.query(`SELECT key FROM ${schema}.sites`);
        expect(sites.rows).toEqual([{ key: 'demo' }]);
      } finally {
        await client.end();
        await Promise.all(nodes.map((node) => node.close()));
      }
      // Reopening an up-to-date schema changes nothing.
      const again = await makeStorage(schema);
      expect((await again.getDefaultSite()).key).toBe('demo');
      await again.close();
    });

    it('refuses a schema from a newer server with STORAGE_UNAVAILABLE', async () => {
      const schema = nextSchema();
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA ${schema}`);
        await client.query(`CREATE TABLE ${schema}.schema_version (version INTEGER NOT NULL)`);
        await client.query(`INSERT INTO ${schema}.schema_version VALUES (999)`);
      } finally {
        await client.end();
      }
      expect(await codeOf(makeStorage(schema))).toBe('STORAGE_UNAVAILABLE');
    });

    it('refuses a schema name that is not a plain identifier with CONFIG_INVALID', async () => {
      expect(await codeOf(makeStorage('x; DROP TABLE y'))).toBe('CONFIG_INVALID');
    });

    it('assigns exactly once when 20 callers on 4 nodes race for the same queued conversation', async () => {
      const schema = nextSchema();
      const nodes = await Promise.all([1, 2, 3, 4].map(() => makeStorage(schema, 5)));
      try {
        const first = nodes[0]!;
        const siteId = (await first.getDefaultSite()).id;
        const visitor = await first.createVisitor(siteId);
        const { conversation } = await first.startConversation({ siteId, visitorId: visitor.id, clientId: 's' });
        await first.escalate({ conversationId: conversation.id, reason: 'requested', transcript: [] });
        const agents = await Promise.all(
          Array.from({ length: 20 }, (_, i) => first.createAgent({ siteId, name: `Agent ${i}`, tokenHash: `h${i}` })),
        );
        const results = await Promise.all(agents.map((agent, i) => nodes[i % nodes.length]!.assign(conversation.id, agent)));
        const winners = results.filter((r) => r.changed);
        expect(winners).toHaveLength(1);
        const winner = winners[0]!;
        expect(winner.event).toMatchObject({ seq: 1, kind: 'event', author: { id: winner.conversation!.agent!.id } });
        const stored = await nodes[3]!.getConversation(conversation.id);
        expect(stored).toMatchObject({ status: 'assigned', lastSeq: 1, agent: { id: winner.conversation!.agent!.id } });
        for (const loser of results.filter((r) => !r.changed)) expect(loser.conversation?.status).toBe('assigned');
      } finally {
        await Promise.all(nodes.map((node) => node.close()));
      }
    });

    it('refuses a message with a NUL character on its own, without failing the rest of the batch', async () => {
      const storage = await makeStorage();
      try {
        const siteId = (await storage.getDefaultSite()).id;
        const visitor = await storage.createVisitor(siteId);
        const { conversation } = await storage.startConversation({ siteId, visitorId: visitor.id, clientId: 's' });
        const author = { role: 'visitor' as const, id: visitor.id };
        const [bad, good] = await Promise.allSettled([
          storage.appendMessage({ conversationId: conversation.id, clientId: 'm1', author, kind: 'text', text: 'a\u0000b' }),
          storage.appendMessage({ conversationId: conversation.id, clientId: 'm2', author, kind: 'text', text: 'C:\\u0000' }),
        ]);
        expect(bad.status === 'rejected' && bad.reason).toMatchObject({ code: 'STORAGE_UNAVAILABLE', retryable: false });
        // An escaped-looking but harmless text (a backslash, then u0000) is stored as is.
        expect(good.status === 'fulfilled' && good.value.message).toMatchObject({ seq: 1, text: 'C:\\u0000' });
        // Outside the batch the driver's refusal (SQLSTATE class 22) is mapped the same way.
        const page = storage.recordPage(conversation.id, 'https://x.example/\u0000');
        await expect(page).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE', retryable: false });
      } finally {
        await storage.close();
      }
    });

    it('maps a mid-run outage to retryable STORAGE_UNAVAILABLE and recovers when the database is back', async () => {
      const url = new URL(DATABASE_URL!);
      const proxy = await startFaultProxy(Number(url.port || 5432));
      url.hostname = '127.0.0.1';
      url.port = String(proxy.port);
      const poolErrors: ParleyError[] = [];
      const storage = await createPostgresStorage({
        connectionString: url.toString(),
        schema: nextSchema(),
        connectionTimeoutMs: 1000,
        onError: (err) => poolErrors.push(err),
      });
      try {
        const siteId = (await storage.getDefaultSite()).id;
        const visitor = await storage.createVisitor(siteId);
        const { conversation } = await storage.startConversation({ siteId, visitorId: visitor.id, clientId: 's' });
        const author = { role: 'visitor' as const, id: visitor.id };
        // Port 1: new connections are refused; reset: the pooled ones die.
        proxy.retarget(1);
        proxy.inject('reset');
        const failed = await storage
          .appendMessage({ conversationId: conversation.id, clientId: 'm1', author, kind: 'text', text: 'x' })
          .then(() => undefined, (e: unknown) => e);
        expect(failed).toMatchObject({ code: 'STORAGE_UNAVAILABLE', retryable: true, message: 'the database is unavailable' });
        expect(await codeOf(storage.getConversation(conversation.id))).toBe('STORAGE_UNAVAILABLE');
        expect(poolErrors.every((e) => e.code === 'STORAGE_UNAVAILABLE')).toBe(true);
        proxy.retarget(Number(new URL(DATABASE_URL!).port || 5432));
        // The client's retry of the same clientId succeeds and takes seq 1: the failed attempt burned nothing.
        const retried = await storage.appendMessage({ conversationId: conversation.id, clientId: 'm1', author, kind: 'text', text: 'x' });
        expect(retried).toMatchObject({ duplicate: false, message: { seq: 1 } });
      } finally {
        await storage.close();
        await proxy.close();
      }
    });

    it('keeps seqs gapless and deduplicated when several nodes append to the same conversations', async () => {
      const schema = nextSchema();
      const nodes = await Promise.all([1, 2, 3].map(() => makeStorage(schema, 4)));
      try {
        const first = nodes[0]!;
        const siteId = (await first.getDefaultSite()).id;
        const visitor = await first.createVisitor(siteId);
        const author = { role: 'visitor' as const, id: visitor.id };
        const a = (await first.startConversation({ siteId, visitorId: visitor.id, clientId: 'a' })).conversation;
        const b = (await first.startConversation({ siteId, visitorId: visitor.id, clientId: 'b' })).conversation;
        const sends = [];
        // Several rounds so batches from different nodes interleave; every clientId is sent by two nodes.
        for (let round = 0; round < 5; round++) {
          for (let i = 0; i < 60; i++) {
            const node = nodes[(i + round) % nodes.length]!;
            const conversationId = i % 2 === 0 ? a.id : b.id;
            sends.push(node.appendMessage({ conversationId, clientId: `m${round}-${i % 30}`, author, kind: 'text', text: `${i}` }));
          }
          await new Promise((resolve) => setImmediate(resolve));
        }
        const results = await Promise.all(sends);
        for (const id of [a.id, b.id]) {
          const fresh = results.filter((r) => r.message.conversationId === id && !r.duplicate).map((r) => r.message.seq);
          expect([...fresh].sort((x, y) => x - y)).toEqual(fresh.map((_, i) => i + 1));
          const stored = await first.listMessages({ conversationId: id, afterSeq: 0, limit: 1000 });
          expect(stored.messages.map((m) => m.seq)).toEqual(fresh.map((_, i) => i + 1));
          expect(new Set(stored.messages.map((m) => m.clientId)).size).toBe(stored.messages.length);
          expect((await first.getConversation(id))!.lastSeq).toBe(fresh.length);
        }
        // Every duplicate ack carries the stored message, not the resent one.
        for (const r of results.filter((x) => x.duplicate)) {
          const original = results.find((x) => !x.duplicate && x.message.clientId === r.message.clientId && x.message.conversationId === r.message.conversationId);
          expect(r.message).toEqual(original!.message);
        }
      } finally {
        await Promise.all(nodes.map((node) => node.close()));
      }
    });
  });
});

describe('createPostgresStorage without a database', () => {
  it('rejects with a retryable STORAGE_UNAVAILABLE that hides the driver message', async () => {
    // Port 1 on loopback: nothing listens, so the connect is refused at once.
    const err = await createPostgresStorage({ connectionString: 'postgres://postgres@127.0.0.1:1/test', connectionTimeoutMs: 2000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ParleyError);
    expect(err).toMatchObject({ code: 'STORAGE_UNAVAILABLE', retryable: true, message: 'the database is unavailable' });
    expect((err as ParleyError).message).not.toMatch(/ECONNREFUSED/);
  });
});
