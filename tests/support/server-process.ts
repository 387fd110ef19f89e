// Runs the real `parley-server` bin as a child process, so tests can kill -9 it and start it again on the same data.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const SERVER_BIN = fileURLToPath(new URL('../../packages/server/bin/parley-server.mjs', import.meta.url));

export interface ServerProcess {
  port: number;
  child: ChildProcess;
  /** SIGKILL: no drain, no goodbye. */
  kill(): Promise<void>;
  /** SIGTERM: graceful drain, sockets closed with 1001. */
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  db: string;
  secret?: string;
  env?: Record<string, string>;
  args?: string[];
}

/**
 * The test runner's env minus the store URLs: CI sets DATABASE_URL and REDIS_URL for the tests that want them, and
 * the bin would otherwise pick them up and put every SQLite test on a shared Postgres. Pass them in `env` to opt in.
 */
function inheritedEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  return env;
}

/** Starts the bin on port 0 and resolves once it prints its `listening` line. */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const child = spawn(process.execPath, [SERVER_BIN, '--port', '0', '--host', '127.0.0.1', '--db', options.db, ...(options.args ?? [])], {
    env: {
      ...inheritedEnv(),
      PARLEY_SECRET: options.secret ?? 'test-secret-test-secret-test-secret!',
      PARLEY_LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr = (stderr + String(chunk)).slice(-4000);
  });
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 15 s; stderr:\n${stderr}`)), 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}; stderr:\n${stderr}`));
    });
    lines.on('line', (line) => {
      try {
        const event = JSON.parse(line) as { event?: string; port?: number };
        if (event.event === 'listening' && typeof event.port === 'number') {
          clearTimeout(timer);
          resolve(event.port);
        }
      } catch {
        // Not a JSON line: ordinary output, ignored on purpose.
      }
    });
  });
  const exited = once(child, 'exit');
  return {
    port,
    child,
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs a one-shot bin subcommand (e.g. create-agent) and returns its stdout. */
export async function runServerCommand(args: string[], env: Record<string, string> = {}): Promise<string> {
  const child = spawn(process.execPath, [SERVER_BIN, ...args], {
    env: { ...inheritedEnv(), PARLEY_SECRET: 'test-secret-test-secret-test-secret!', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => (out += String(c)));
  child.stderr!.on('data', (c) => (err += String(c)));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`parley-server ${args.join(' ')} exited ${code}: ${err}`);
  return out;
}
