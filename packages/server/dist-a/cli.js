import { join, dirname } from 'node:path';
import { ParleyError } from '@parley/protocol';
import { A as generateSecret, M as MIN_SECRET_LENGTH, m as createSqliteStorage, j as createPostgresStorage, k as createRedisFanout, B as describeError, i as createMemoryFanout, o as eraseVisitor, r as exportVisitor, t as loadConfig, U as USAGE, h as createJsonLogger, C as isAdminCommand, E as createAgentRecord, l as createServer, c as DEFAULT_RATES } from './chunks/postgres-Cwp-XOzz.js';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import 'node:net';
import 'node:http';
import 'node:crypto';
import 'ws';
import 'jose';
import 'node:fs/promises';
import 'better-sqlite3';
import 'node:module';
import 'node:worker_threads';
import 'node:https';
import '@parley/faq';
import 'node:os';
import 'nodemailer';
import 'ioredis';
import 'pg';
import 'node:perf_hooks';
import 'pino';

// The token signing key when none is configured: read from, or created in, the data directory (mode 0600).
/**
 * Returns the secret stored next to `dbPath`, creating it on first boot so tokens survive restarts.
 * `:memory:` databases get a fresh secret each time (nothing survives a restart there anyway).
 */
function loadOrCreateSecret(dbPath) {
    if (dbPath === ':memory:')
        return { secret: generateSecret(), path: undefined, isNew: true };
    const path = join(dirname(dbPath), 'secret');
    try {
        const secret = readFileSync(path, 'utf8').trim();
        if (secret.length < MIN_SECRET_LENGTH) {
            throw new ParleyError('CONFIG_INVALID', `${path} holds a secret shorter than ${MIN_SECRET_LENGTH} characters; delete it or set PARLEY_SECRET`);
        }
        return { secret, path, isNew: false };
    }
    catch (err) {
        if (err.code !== 'ENOENT') {
            if (err instanceof ParleyError)
                throw err;
            throw new ParleyError('CONFIG_INVALID', `cannot read ${path}: ${err.message}`, { cause: err });
        }
    }
    const secret = generateSecret();
    try {
        mkdirSync(dirname(path), { recursive: true });
        // 'wx': if another process created it meanwhile, fail rather than overwrite the key its tokens use.
        writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    }
    catch (err) {
        if (err.code === 'EEXIST')
            return loadOrCreateSecret(dbPath);
        throw new ParleyError('CONFIG_INVALID', `cannot write ${path}: ${err.message}`, { cause: err });
    }
    return { secret, path, isNew: true };
}

// Opens the storage and fan-out a validated config asks for: SQLite or PostgreSQL, in-memory or Redis. Each
// adapter's factory runs its own migrations/handshake, so a bad URL fails here, at boot, not on the first frame.
/** Postgres when `databaseUrl` is set (migrated under an advisory lock, so nodes may start together), else SQLite. */
async function openStorage(config, logger) {
    if (config.databaseUrl === undefined) {
        const storage = createSqliteStorage({ path: config.dbPath, onError: (err) => logger.error('storage.checkpoint_failed', describeError(err)) });
        return { storage, kind: 'sqlite' };
    }
    const storage = await createPostgresStorage({
        connectionString: config.databaseUrl,
        ...(config.databaseSchema === undefined ? {} : { schema: config.databaseSchema }),
        onError: (err) => logger.error('storage.connection_lost', describeError(err.cause)),
    });
    return { storage, kind: 'postgres' };
}
/** Redis when `redisUrl` is set, else in memory (one node). */
async function openFanout(config, logger) {
    if (config.redisUrl === undefined) {
        const fanout = createMemoryFanout({ onListenerError: (err, topic) => logger.error('fanout.listener_failed', { topic, ...describeError(err) }) });
        return { fanout, kind: 'memory' };
    }
    const fanout = await createRedisFanout({
        url: config.redisUrl,
        prefix: config.redisPrefix,
        onError: (err, topic) => logger.error('fanout.error', { topic, ...describeError(err) }),
    });
    return { fanout, kind: 'redis' };
}

// The admin subcommands of `parley-server` (export-visitor, erase-visitor, create-site, list-sites, list-agents,
// disable-agent): one action on the configured database, JSON on stdout, a one-line error on stderr.
/** Exit code of an admin command whose target does not exist (unknown visitor, agent or site). */
const EXIT_NOT_FOUND = 3;
const line = (value) => `${JSON.stringify(value)}\n`;
/** Runs one admin command; resolves with the exit code. The caller opens and closes `storage`. */
async function runAdminCommand(command, config, storage, io, logger) {
    const { ops } = config;
    const notFound = (what) => {
        io.stderr.write(`parley-server: not found: ${what}\n`);
        return EXIT_NOT_FOUND;
    };
    switch (command) {
        case 'export-visitor': {
            const data = await exportVisitor(storage, ops.visitorId);
            if (data === undefined)
                return notFound(`visitor ${ops.visitorId}`);
            io.stdout.write(line(data));
            return 0;
        }
        case 'erase-visitor': {
            const result = await eraseVisitor(storage, ops.visitorId, logger);
            if (result === undefined)
                return notFound(`visitor ${ops.visitorId}`);
            io.stdout.write(line({ event: 'visitor.erased', visitorId: ops.visitorId, ...result }));
            return 0;
        }
        case 'create-site': {
            try {
                const site = await storage.createSite({ key: ops.siteKey, allowedOrigins: config.allowedOrigins === '*' ? ['*'] : config.allowedOrigins });
                io.stdout.write(line({ event: 'site.created', siteId: site.id, key: site.key, allowedOrigins: site.allowedOrigins }));
                return 0;
            }
            catch (err) {
                if (err instanceof ParleyError && err.code === 'STORAGE_CONFLICT') {
                    io.stderr.write(`parley-server: STORAGE_CONFLICT: a site with key "${ops.siteKey}" exists\n`);
                    return 1;
                }
                throw err;
            }
        }
        case 'list-sites': {
            for (const site of await storage.listSites()) {
                io.stdout.write(line({ siteId: site.id, key: site.key, allowedOrigins: site.allowedOrigins, requiresIdentity: site.requiresIdentity }));
            }
            return 0;
        }
        case 'list-agents': {
            const site = ops.site === undefined ? await storage.getDefaultSite() : await storage.getSiteByKey(ops.site);
            if (site === undefined)
                return notFound(`site ${ops.site}`);
            for (const agent of await storage.listAgents(site.id)) {
                io.stdout.write(line({ agentId: agent.id, name: agent.name, role: agent.role, email: agent.email, disabled: agent.disabled, createdAt: agent.createdAt }));
            }
            return 0;
        }
        case 'disable-agent': {
            if (!(await storage.disableAgent(ops.agentId)))
                return notFound(`agent ${ops.agentId}`);
            logger.info('admin.agent_disabled', { by: 'cli', agentId: ops.agentId });
            io.stdout.write(line({ event: 'agent.disabled', agentId: ops.agentId }));
            return 0;
        }
    }
}

// The `parley-server` command: config → server (or create-agent), the "listening" line, signal-driven shutdown.
// Process-free (streams, env and signals are passed in) so tests can run it in-process.
/** Exit code 2: the configuration is invalid (bad flag or env var). */
const EXIT_CONFIG_INVALID = 2;
/** How long in-flight frames may take to finish on SIGTERM before sockets are closed anyway. */
const SHUTDOWN_GRACE_MS = 10_000;
/**
 * Runs the CLI. Resolves with the exit code: for `serve`, after a signal has shut the server down.
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr, signals: process });
 */
async function runCli(argv, env, io) {
    let config;
    try {
        config = loadConfig(argv, env);
    }
    catch (err) {
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
        }
        finally {
            await storage.close();
        }
    }
    if (config.command === 'create-agent') {
        let storage;
        try {
            storage = (await openStorage(config, logger)).storage;
        }
        catch (err) {
            return bootFailed(err, io);
        }
        try {
            const { agent, token } = await createAgentRecord(storage, {
                name: config.agentName ?? '',
                ...(config.agentEmail === undefined || config.agentPassword === undefined ? {} : { email: config.agentEmail, password: config.agentPassword }),
                ...(config.isAdmin ? { role: 'admin' } : {}),
            });
            // The token is printed once, here; only its hash is stored. The password is never printed.
            const created = { event: 'agent.created', agentId: agent.id, name: agent.name, role: agent.role, ...(agent.email === undefined ? {} : { email: agent.email }), token };
            io.stdout.write(`${JSON.stringify(created)}\n`);
            return 0;
        }
        catch (err) {
            if (err instanceof ParleyError && err.code === 'CONFIG_INVALID') {
                io.stderr.write(`parley-server: CONFIG_INVALID: ${err.message}\n`);
                return EXIT_CONFIG_INVALID;
            }
            throw err;
        }
        finally {
            await storage.close();
        }
    }
    let secret = config.secret;
    try {
        if (secret === undefined) {
            const stored = loadOrCreateSecret(config.dbPath);
            secret = stored.secret;
            if (stored.isNew)
                logger.info('config.secret_created', { path: stored.path ?? ':memory: (ephemeral)' });
        }
    }
    catch (err) {
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
    let storage;
    let fanout;
    try {
        const opened = await openStorage(config, logger);
        storage = opened.storage;
        try {
            fanout = (await openFanout(config, logger)).fanout;
        }
        catch (err) {
            await storage.close();
            throw err;
        }
        logger.info('server.stores', { storage: opened.kind, fanout: config.redisUrl === undefined ? 'memory' : 'redis' });
    }
    catch (err) {
        return bootFailed(err, io);
    }
    const server = createServer({
        secret,
        storage,
        fanout,
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
    const stopped = new Promise((resolve) => {
        let isStopping = false;
        const stop = (signal) => {
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
                .then(() => Promise.all([fanout.close(), storage.close()]))
                .then(() => resolve(0), (err) => {
                logger.error('server.close_failed', describeError(err));
                resolve(1);
            });
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
function bootFailed(err, io) {
    if (err instanceof ParleyError) {
        io.stderr.write(`parley-server: ${err.code}: ${err.message}\n`);
        return err.code === 'CONFIG_INVALID' ? EXIT_CONFIG_INVALID : 1;
    }
    throw err;
}

// Entry of the `parley-server` bin (bin/parley-server.mjs imports the built file). Runs on import, by design.
runCli(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr, signals: process }).then((code) => process.exit(code), (err) => {
    process.stderr.write(`${JSON.stringify({ t: Date.now(), level: 'error', event: 'server.crashed', errorMessage: String(err) })}\n`);
    process.exit(1);
});
//# sourceMappingURL=cli.js.map
