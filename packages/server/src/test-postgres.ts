// Test-only: Postgres storages in throwaway schemas, for the server tests' Postgres variants (run when
// DATABASE_URL is set). Call dropTestSchemas() in afterAll.

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPostgresStorage } from './storage/postgres.js';
import type { Storage } from './storage/storage.js';

export const DATABASE_URL = process.env.DATABASE_URL;

const runId = randomBytes(4).toString('hex');
const schemas: string[] = [];

/** A schema name dropped by dropTestSchemas(), for code that creates the schema itself (the CLI). */
export function nextTestSchema(): string {
  const schema = `parley_ops_${runId}_${schemas.length}`;
  schemas.push(schema);
  return schema;
}

/** A fresh, migrated Postgres storage in its own schema. */
export function postgresTestStorage(now?: () => number): Promise<Storage> {
  const schema = nextTestSchema();
  return createPostgresStorage({ connectionString: DATABASE_URL!, schema, ...(now === undefined ? {} : { now }) });
}

export async function dropTestSchemas(): Promise<void> {
  if (DATABASE_URL === undefined || schemas.length === 0) return;
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    for (const schema of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
