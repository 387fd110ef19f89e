import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { connectAgent, connectVisitor } from './test-client.js';
import { EXIT_CONFIG_INVALID, runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'parley-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) }, signals: new EventEmitter() },
  };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('runCli', () => {
  it('creates an admin with a console login (never printing the password) and refuses a duplicate e-mail', async () => {
    const db = join(dir, 'login', 'parley.db');
    const created = io();
    expect(await runCli(['create-agent', '--name', 'Ann', '--email', 'Ann@X.io', '--admin', '--db', db], { PARLEY_AGENT_PASSWORD: 'pw-123456' }, created.io)).toBe(0);
    const line = created.out.join('');
    expect(JSON.parse(line)).toMatchObject({ event: 'agent.created', name: 'Ann', role: 'admin', email: 'ann@x.io', token: expect.stringMatching(/^pat_/) });
    expect(line).not.toContain('pw-123456');
    const dup = io();
    expect(await runCli(['create-agent', '--name', 'Ann 2', '--email', 'ann@x.io', '--password', 'pw-7654321', '--db', db], {}, dup.io)).toBe(EXIT_CONFIG_INVALID);
    expect(dup.err.join('')).toContain('already exists');
    const short = io();
    expect(await runCli(['create-agent', '--name', 'B', '--email', 'b@x.io', '--password', 'short', '--db', db], {}, short.io)).toBe(EXIT_CONFIG_INVALID);
  });

  it('exits 2 with CONFIG_INVALID on bad env', async () => {
    const t = io();
    expect(await runCli([], { PARLEY_PORT: 'eighty' }, t.io)).toBe(EXIT_CONFIG_INVALID);
    expect(t.err.join('')).toContain('CONFIG_INVALID');
    expect(t.err.join('')).toContain('PARLEY_PORT');
  });

  it('creates an agent, serves, prints the listening line, persists the secret, and stops on SIGTERM', async () => {
    const db = join(dir, 'data', 'parley.db');
    const created = io();
    expect(await runCli(['create-agent', '--name', 'Alice', '--db', db], {}, created.io)).toBe(0);
    const { token } = JSON.parse(created.out.join('')) as { token: string };

    const t = io();
    const exit = runCli(['--port', '0', '--host', '127.0.0.1', '--db', db, '--log-level', 'silent'], {}, t.io);
    await until(() => t.out.length > 0);
    const line = JSON.parse(t.out[0]!) as { event: string; port: number; url: string };
    expect(line).toMatchObject({ event: 'listening', port: expect.any(Number) });
    const secretPath = join(dirname(db), 'secret');
    expect(statSync(secretPath).mode & 0o777).toBe(0o600);
    const secret = readFileSync(secretPath, 'utf8');

    const { client: agent } = await connectAgent(line.url, token);
    const { client: v, welcome } = await connectVisitor(line.url);
    t.io.signals.emit('SIGTERM');
    expect((await agent.closed).code).toBe(1001);
    expect((await v.closed).code).toBe(1001);
    expect(await exit).toBe(0);

    // Restart: the same secret is reused, so the visitor token still works.
    const again = io();
    const exit2 = runCli(['--port', '0', '--host', '127.0.0.1', '--db', db, '--log-level', 'silent'], {}, again.io);
    await until(() => again.out.length > 0);
    const url = (JSON.parse(again.out[0]!) as { url: string }).url;
    expect(readFileSync(secretPath, 'utf8')).toBe(secret);
    const back = await connectVisitor(url, { token: (welcome as { token: string }).token });
    expect(back.welcome).toMatchObject({ subjectId: welcome.type === 'welcome' && welcome.subjectId });
    again.io.signals.emit('SIGINT');
    expect(await exit2).toBe(0);
  });

  it('fails at boot with STORAGE_UNAVAILABLE (exit 1) when the database URL cannot be reached', async () => {
    const t = io();
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const args = ['--port', '0', '--host', '127.0.0.1', '--db', join(dir, 'pg-down', 'p.db'), '--database-url', 'postgres://postgres@127.0.0.1:1/none'];
    expect(await runCli(args, {}, t.io)).toBe(1);
    expect(t.err.join('')).toContain('STORAGE_UNAVAILABLE');
    const r = io();
    expect(await runCli(['--port', '0', '--db', join(dir, 'redis-down', 'p.db'), '--redis-url', 'redis://127.0.0.1:1'], {}, r.io)).toBe(1);
    expect(r.err.join('')).toContain('FANOUT_UNAVAILABLE');
  });

  it.skipIf(process.env.DATABASE_URL === undefined || process.env.REDIS_URL === undefined)(
    'runs on Postgres + Redis from DATABASE_URL / REDIS_URL: migrates a fresh schema, creates an agent there, serves',
    async () => {
      const schema = `parley_cli_${process.pid}_${Date.now()}`;
      const env = {
        DATABASE_URL: process.env.DATABASE_URL,
        REDIS_URL: process.env.REDIS_URL,
        PARLEY_DATABASE_SCHEMA: schema,
        PARLEY_REDIS_PREFIX: `${schema}:`,
        PARLEY_SECRET: 'x'.repeat(40),
      };
      const db = join(dir, 'pg', 'unused.db');
      try {
        const created = io();
        expect(await runCli(['create-agent', '--name', 'Pat', '--db', db], env, created.io)).toBe(0);
        const { token } = JSON.parse(created.out.join('')) as { token: string };
        const t = io();
        const exit = runCli(['--port', '0', '--host', '127.0.0.1', '--db', db, '--log-level', 'silent'], env, t.io);
        await until(() => t.out.length > 0);
        const { url } = JSON.parse(t.out[0]!) as { url: string };
        // The agent created in the Postgres schema logs in on the server that reads it.
        const { client: agent } = await connectAgent(url, token);
        t.io.signals.emit('SIGTERM');
        expect((await agent.closed).code).toBe(1001);
        expect(await exit).toBe(0);
        // Nothing went to SQLite.
        expect(existsSync(db)).toBe(false);
      } finally {
        const pg = (await import('pg')).default;
        const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      }
    },
  );
});

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'parley-server.mjs');
const isBuilt = existsSync(join(dirname(bin), '..', 'dist', 'cli.js'));

describe('parley-server bin', () => {
  it.skipIf(!isBuilt)('runs as a child process: listening line on stdout, exit 0 on SIGTERM, exit 2 on bad config', async () => {
    const bad = spawn(process.execPath, [bin, '--port', 'nope'], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(await new Promise((resolve) => bad.on('exit', resolve))).toBe(2);

    // Without the store URLs CI sets for other tests: this one checks the SQLite default.
    const { DATABASE_URL: _db, REDIS_URL: _redis, ...env } = process.env;
    const child = spawn(process.execPath, [bin, '--port', '0', '--host', '127.0.0.1', '--db', join(dir, 'bin', 'p.db')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const line = await new Promise<string>((resolve) => {
      let buffer = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        if (buffer.includes('\n')) resolve(buffer.split('\n')[0]!);
      });
    });
    const { port, url } = JSON.parse(line) as { port: number; url: string };
    expect(port).toBeGreaterThan(0);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
