// The `parley-server` command: config → server (or create-agent), the "listening" line, signal-driven shutdown.
// Process-free (streams, env and signals are passed in) so tests can run it in-process.

import type { EventEmitter } from 'node:events';
import { dirname, join } from 'node:path';
import { ParleyError } from '@parley/protocol';
import { loadConfig, USAGE } from './config.js';
import { createJsonLogger, describeError } from './logger.js';
import { loadOrCreateSecret } from './secret-file.js';
import { createServer } from './server.js';
import { openBudgets, openFanout, openStorage } from './open-stores.js';
import type { SharedBudgets } from './shared-budgets.js';
import type { Storage } from './storage/storage.js';
import type { Fanout } from './fanout/fanout.js';
import { createAgentRecord } from './agents.js';
import { DEFAULT_RATES } from './rate-limit.js';
import { runAdminCommand } from './admin-cli.js';
import { isAdminCommand } from './ops-config.js';

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Emits SIGTERM / SIGINT (process in production). */
  signals: EventEmitter;
}

/** Exit code 2: the configuration is invalid (bad flag or env var). */
export const EXIT_CONFIG_INVALID = 2;

/** How long in-flight frames may take to finish on SIGTERM before sockets are closed anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Runs the CLI. Resolves with the exit code: for `serve`, after a signal has shut the server down.
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr, signals: process });
 */
export async function runCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: CliIo): Promise<number> {
  let config;
  try {
    config = loadConfig(argv, env);
  } catch (err) {
    if (err instanceof ParleyError && err.code === 'CONFIG_INVALID') {
      io.stderr.write(`parley-server: CONFIG_INVALID: ${err.message}\n`);
      return EXIT_CONFIG_INVALID;
    }
    throw err;
  }
  if (config.command === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  const logger = createJsonLogger({ level: config.logLevel, write: (line) => io.stderr.write(line) });

  if (isAdminCommand(config.command)) {
    const storage = (await openStorage(config, logger)).storage;
    try {
      return await runAdminCommand(config.command, config, storage, io, logger);
    } finally {
      await storage.close();
    }
  }

  if (config.command === 'create-agent') {
    let storage: Storage;
    try {
      storage = (await openStorage(config, logger)).storage;
    } catch (err) {
      return bootFailed(err, io);
    }
    try {
      const { agent, token } = await createAgentRecord(storage, {
        name: config.agentName ?? '',
        ...(config.agentEmail === undefined || config.agentPassword === undefined ? {} : { email: config.agentEmail, password: config.agentPassword }),
        ...(config.isAdmin ? { role: 'admin' as const } : {}),
      });
      // The token is printed once, here; only its hash is stored. The password is never printed.
      const created = { event: 'agent.created', agentId: agent.id, name: agent.name, role: agent.role, ...(agent.email === undefined ? {} : { email: agent.email }), token };
      io.stdout.write(`${JSON.stringify(created)}\n`);
      return 0;
    } catch (err) {
      if (err instanceof ParleyError && err.code === 'CONFIG_INVALID') {
        io.stderr.write(`parley-server: CONFIG_INVALID: ${err.message}\n`);
        return EXIT_CONFIG_INVALID;
      }
      throw err;
    } finally {
      await storage.close();
    }
  }

  let secret = config.secret;
  try {
    if (secret === undefined) {
      const stored = loadOrCreateSecret(config.dbPath);
      secret = stored.secret;
      if (stored.isNew) logger.info('config.secret_created', { path: stored.path ?? ':memory: (ephemeral)' });
    }
  } catch (err) {
    if (err instanceof ParleyError && err.code === 'CONFIG_INVALID') {
      io.stderr.write(`parley-server: CONFIG_INVALID: ${err.message}\n`);
      return EXIT_CONFIG_INVALID;
    }
    throw err;
  }
  if (config.redisUrl !== undefined && env.PARLEY_SECRET === undefined) {
    // Each node would sign with its own key and refuse the others' visitor tokens.
    logger.warn('config.secret_per_node', { note: 'REDIS_URL is set but PARLEY_SECRET is not: give every node the same PARLEY_SECRET' });
  }
  let storage: Storage;
  let fanout: Fanout;
  let budgets: SharedBudgets;
  try {
    const opened = await openStorage(config, logger);
    storage = opened.storage;
    try {
      fanout = (await openFanout(config, logger)).fanout;
    } catch (err) {
      await storage.close();
      throw err;
    }
    try {
      budgets = await openBudgets(config, logger);
    } catch (err) {
      await Promise.all([fanout.close(), storage.close()]);
      throw err;
    }
    logger.info('server.stores', { storage: opened.kind, fanout: config.redisUrl === undefined ? 'memory' : 'redis' });
  } catch (err) {
    return bootFailed(err, io);
  }
  const server = createServer({
    secret,
    storage,
    fanout,
    budgets,
    routing: { assignment: config.assignment, agentGraceMs: config.agentGraceMs },
    allowedOrigins: config.allowedOrigins,
    consoleOrigins: config.consoleOrigins,
    rateExemptAddresses: config.rateExemptAddresses,
    ...(config.trustProxy === undefined ? {} : { trustProxy: config.trustProxy }),
    visitorTokenTtlMs: config.visitorTokenTtlMs,
    // Uploaded files live beside the database file, in the same data folder (also when the messages are in Postgres).
    uploads: {
      ...(config.dbPath === ':memory:' ? {} : { dir: join(dirname(config.dbPath), 'uploads') }),
      ...(config.uploadMaxBytes === undefined ? {} : { maxBytes: config.uploadMaxBytes }),
      ...(config.publicUrl === undefined ? {} : { publicUrl: config.publicUrl }),
    },
    ...(config.mail === undefined ? {} : { mail: config.mail }),
    ...(config.ops.retentionDays === undefined ? {} : { retentionDays: config.ops.retentionDays }),
    ...(config.ops.metricsToken === undefined ? {} : { metricsToken: config.ops.metricsToken }),
    ...(config.ops.webhooks.length === 0 ? {} : { webhooks: { endpoints: config.ops.webhooks } }),
    logger,
    ...(config.consoleDir === undefined ? {} : { consoleDir: config.consoleDir }),
    ...(config.messageRate === undefined
      ? {}
      : {
          rates: {
            messages: { perSecond: config.messageRate, burst: Math.ceil(config.messageRate * 3) },
            // Every message is a frame too, so the frame budget must stay above the message budget.
            frames: {
              perSecond: Math.max(DEFAULT_RATES.frames.perSecond, config.messageRate * 2),
              burst: Math.max(DEFAULT_RATES.frames.burst, Math.ceil(config.messageRate * 6)),
            },
          },
        }),
  });
  const stopped = new Promise<number>((resolve) => {
    let isStopping = false;
    const stop = (signal: string) => {
      if (isStopping) {
        // A second signal means "now": skip the drain.
        logger.warn('server.forced_exit', { signal });
        resolve(1);
        return;
      }
      isStopping = true;
      logger.info('server.signal', { signal });
      server
        .close({ graceMs: SHUTDOWN_GRACE_MS })
        // The server closes only what it created; the stores were opened here.
        .then(() => Promise.all([fanout.close(), budgets.close(), storage.close()]))
        .then(
          () => resolve(0),
          (err: unknown) => {
            logger.error('server.close_failed', describeError(err));
            resolve(1);
          },
        );
    };
    io.signals.on('SIGTERM', () => stop('SIGTERM'));
    io.signals.on('SIGINT', () => stop('SIGINT'));
  });
  const { port, url } = await server.listen(config.port, config.host);
  io.stdout.write(`${JSON.stringify({ event: 'listening', port, url, host: config.host })}\n`);
  logger.info('server.listening', { port, host: config.host, db: config.databaseUrl === undefined ? config.dbPath : 'postgres' });
  return stopped;
}

/** A store that cannot be opened at boot (database or Redis unreachable, schema too new): one line, exit 1. */
function bootFailed(err: unknown, io: CliIo): number {
  if (err instanceof ParleyError) {
    io.stderr.write(`parley-server: ${err.code}: ${err.message}\n`);
    return err.code === 'CONFIG_INVALID' ? EXIT_CONFIG_INVALID : 1;
  }
  throw err;
}
