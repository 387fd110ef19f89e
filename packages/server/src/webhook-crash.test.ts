// A server killed with SIGKILL right after it acked a message (or a close) still sends that event's webhook, once,
// when it restarts on the same database (SQLite, and Postgres when DATABASE_URL is set): the outbox row committed
// with the change. Runs the built server (dist) in a child process, as the CI does after its build; a real node:http
// receiver counts what arrives.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { connectVisitor } from './test-client.js';
import { DATABASE_URL, dropTestSchemas, nextTestSchema } from './test-postgres.js';

const src = dirname(fileURLToPath(import.meta.url));
const dist = join(src, '..', 'dist', 'index.js');

/**
 * Why the build cannot be tested, if it cannot: missing, or older than a source file it is built from. Such a test
 * fails rather than skips: a skip passes unnoticed, and a stale dist would test yesterday's server.
 */
function unusableBuild(): string | undefined {
  const built = statSync(dist, { throwIfNoEntry: false });
  if (built === undefined) return `${dist} is missing: build first (npx -y pnpm@10 build, or cd packages/server && npx rollup -c)`;
  const newer = readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !/(^|\/)test-[^/]*$/.test(file))
    .find((file) => statSync(join(src, file)).mtimeMs > built.mtimeMs);
  return newer === undefined ? undefined : `${dist} is older than src/${newer}: build again (npx -y pnpm@10 build, or cd packages/server && npx rollup -c)`;
}
const dir = mkdtempSync(join(tmpdir(), 'parley-webhook-crash-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropTestSchemas();
});

/**
 * The server process. Its storage's own enqueue (a webhook write separate from the change) answers only after
 * 1 s: a server that stored deliveries that way, after the change, would be killed before they were stored. The
 * lease is short so the restarted process takes the dead one's deliveries over within the test.
 */
const CHILD = `
import { createJsonLogger, createPostgresStorage, createServer, createSqliteStorage } from ${JSON.stringify(pathToFileURL(dist).href)};
const [store, hook] = process.argv.slice(2);
const base = store.startsWith('postgres:')
  ? await createPostgresStorage({ connectionString: process.env.DATABASE_URL, schema: store.slice('postgres:'.length) })
  : createSqliteStorage({ path: store });
const storage = new Proxy(base, {
  get(target, key) {
    if (key === 'enqueueWebhooks') return (...args) => new Promise((r) => setTimeout(r, 1000)).then(() => target.enqueueWebhooks(...args));
    const value = target[key];
    return typeof value === 'function' ? value.bind(target) : value;
  },
});
const server = createServer({
  storage,
  secret: 's'.repeat(32),
  logger: createJsonLogger({ level: 'silent' }),
  webhooks: { endpoints: [{ url: hook, secret: 'w'.repeat(32), events: ['message.created', 'conversation.closed'] }], leaseMs: 1500, pollMs: 100 },
});
const { port } = await server.listen(0, '127.0.0.1');
process.stdout.write(JSON.stringify({ url: 'http://127.0.0.1:' + port }) + '\\n');
`;

async function startChild(store: string, hook: string): Promise<{ child: ChildProcess; url: string }> {
  // A file rather than -e with --input-type=module, which the storage's worker thread would inherit.
  const script = join(dir, 'server.mjs');
  writeFileSync(script, CHILD);
  const child = spawn(process.execPath, [script, store, hook], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      if (buffer.includes('\n')) resolve((JSON.parse(buffer.split('\n')[0]!) as { url: string }).url);
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { child, url };
}

interface Arrival {
  id: string;
  event: string;
  body: { data: Record<string, unknown> };
}

/** Holds every request while `answering` is false (the process that sent it dies first); then answers 200. */
async function startReceiver() {
  const held: ServerResponse[] = [];
  const delivered: Arrival[] = [];
  const state = { answering: false };
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      if (!state.answering) {
        held.push(res);
        return;
      }
      delivered.push({ id: String(req.headers['parley-delivery']), event: String(req.headers['parley-event']), body: JSON.parse(raw) as Arrival['body'] });
      res.writeHead(200).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return {
    url,
    delivered,
    held,
    state,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

const stores: Array<[string, () => string]> = [['SQLite', () => join(dir, 'crash.db')]];
if (DATABASE_URL !== undefined) stores.push(['Postgres', () => `postgres:${nextTestSchema()}`]);

describe.each(stores)('webhooks across a crash: %s', (_name, makeStore) => {
  it('delivers the events of a message and a close acked just before SIGKILL exactly once after a restart', async () => {
    const unusable = unusableBuild();
    if (unusable !== undefined) throw new Error(unusable);
    const receiver = await startReceiver();
    const path = makeStore();
    try {
      // Killed right after the message's ack.
      let { child, url } = await startChild(path, receiver.url);
      const { client, welcome } = await connectVisitor(url);
      const token = (welcome as { token?: string }).token;
      const joined = await client.request({ type: 'conversation.start', clientId: 'start-1' });
      if (joined.type !== 'conversation.joined') throw new Error(JSON.stringify(joined));
      const conversationId = joined.conversation.id;
      const ack = await client.request({ type: 'message.send', conversationId, clientId: 'm-1', text: 'before the crash' });
      expect(ack.type).toBe('message.ack');
      child.kill('SIGKILL');
      await once(child, 'exit');
      client.close();

      // Restarted, then killed right after the close's ack.
      ({ child, url } = await startChild(path, receiver.url));
      const again = await connectVisitor(url, { token });
      const closed = await again.client.request({ type: 'conversation.close', conversationId });
      child.kill('SIGKILL');
      await once(child, 'exit');
      again.client.close();
      expect(closed.type).not.toBe('error');

      // Restarted once more, now with a receiver that answers: both deliveries arrive, each once.
      receiver.state.answering = true;
      for (const res of receiver.held) res.destroy();
      ({ child } = await startChild(path, receiver.url));
      await until(() => receiver.delivered.length >= 2, 8000);
      // Longer than a lease and several polls: a delivery still in the outbox would come again by now.
      await new Promise((r) => setTimeout(r, 2500));
      child.kill('SIGTERM');
      await once(child, 'exit');

      const events = receiver.delivered.map((d) => d.event).sort();
      expect(events).toEqual(['conversation.closed', 'message.created']);
      expect(new Set(receiver.delivered.map((d) => d.id)).size).toBe(2);
      const message = receiver.delivered.find((d) => d.event === 'message.created')!.body.data.message as { text: string; conversationId: string };
      expect(message).toMatchObject({ text: 'before the crash', conversationId });
    } finally {
      await receiver.close();
    }
  }, 30_000);
});
