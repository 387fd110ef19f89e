import { isIP } from 'node:net';
import { ParleyError, PROTOCOL_VERSION, RATING_SCALE_RANGES, CloseCode, decodeClientFrame, closeCodeFor, encodeFrame, DEFAULT_LIMITS, DEFAULT_HEARTBEAT_MS } from '@parley/protocol';
import { Agent as Agent$1, request as request$1, createServer as createServer$1, STATUS_CODES } from 'node:http';
import { randomBytes, createHash, timingSafeEqual, createHmac, randomUUID, scrypt } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { jwtVerify, errors } from 'jose';
import { mkdirSync, createReadStream, createWriteStream, fdatasyncSync, openSync, fsyncSync, closeSync, fdatasync, mkdtempSync, rmSync } from 'node:fs';
import { rm, readFile, rename, writeFile, stat } from 'node:fs/promises';
import { join, dirname, resolve, sep, extname } from 'node:path';
import Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { Agent, request } from 'node:https';
import { parseFaqMarkdown, compileIndex, buildIndex, ParleyError as ParleyError$1 } from '@parley/faq';
import { tmpdir } from 'node:os';
import { Redis } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';

// Structured logs as JSON lines through pino. Callers log ids and codes; redaction is the safety net for the day
// someone passes a frame, a header or a body anyway: tokens, passwords and message text never reach a line.
const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'];
/** Field names whose values are secrets or personal content, at the top level and one or two levels down. */
const SENSITIVE_KEYS = ['token', 'password', 'passwordHash', 'secret', 'authorization', 'cookie', 'text', 'body', 'comment', 'transcript', 'email'];
/** pino redaction paths: `token`, `*.token`, `*.*.token`, … for every sensitive key. */
const REDACT_PATHS = SENSITIVE_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);
const REDACTED = '[redacted]';
/** Writes one JSON object per line (default: stderr, so stdout stays free for the CLI's machine-readable lines). */
function createJsonLogger(options = {}) {
    const write = options.write ?? ((line) => process.stderr.write(line));
    const now = options.now ?? Date.now;
    // A plain object stream keeps writes synchronous, so a crash right after a log call still has its line.
    const stream = { write };
    const base = pino({
        level: options.level ?? 'info',
        base: undefined,
        messageKey: 'msg',
        timestamp: () => `,"t":${now()}`,
        formatters: { level: (label) => ({ level: label }) },
        redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    }, stream);
    const log = (level) => (event, fields) => {
        if (!base.isLevelEnabled(level))
            return;
        try {
            base[level]({ event, ...fields });
        }
        catch {
            // A field pino cannot serialise (a getter that throws) must not take the server down; log without it.
            base[level]({ event, note: 'fields not serialisable' });
        }
    };
    return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
/** Serialises an unknown thrown value for a log line: name, message and stack, never a driver's full object. */
function describeError(err) {
    if (err instanceof Error) {
        const code = err.code;
        return { errorName: err.name, errorMessage: err.message, errorCode: code, stack: err.stack };
    }
    return { errorMessage: String(err) };
}

// What happened, as told by the storage calls that made it happen: one event per state change that actually
// took place (a retried start, a duplicate message or a lost accept race tells nothing). Metrics and webhooks
// listen here, so no handler has to remember to report.
const DOMAIN_EVENT_TYPES = [
    'conversation.created',
    'conversation.escalated',
    'conversation.assigned',
    'conversation.closed',
    'message.created',
    'rating.created',
];
/**
 * Wraps a Storage so every effective change is reported to `onEvent` after it was stored. A listener that
 * throws is the listener's problem: the storage call still resolves with its result.
 */
function observeStorage(storage, onEvent, now = Date.now) {
    const emit = (event) => {
        try {
            onEvent(event);
        }
        catch {
            // Reporting must never turn a stored change into a failed call; listeners log their own failures.
        }
    };
    const overrides = {
        async startConversation(input) {
            const result = await storage.startConversation(input);
            if (result.created)
                emit({ type: 'conversation.created', conversation: result.conversation });
            return result;
        },
        async appendMessage(input) {
            const result = await storage.appendMessage(input);
            if (!result.duplicate)
                emit({ type: 'message.created', message: result.message });
            return result;
        },
        async escalate(input) {
            const result = await storage.escalate(input);
            if (result.changed && result.conversation !== undefined) {
                emit({ type: 'conversation.escalated', conversation: result.conversation, reason: input.reason });
            }
            return result;
        },
        async assign(conversationId, agent) {
            // A monotonic clock for the duration: the wall clock (`now`) may step.
            const started = performance.now();
            const result = await storage.assign(conversationId, agent);
            if (result.changed && result.conversation !== undefined) {
                const at = now();
                const queuedAt = result.conversation.queuedAt;
                emit({
                    type: 'conversation.assigned',
                    conversation: result.conversation,
                    agent,
                    waitMs: queuedAt === undefined ? undefined : Math.max(0, at - queuedAt),
                    durationMs: Math.max(0, performance.now() - started),
                });
            }
            return result;
        },
        async assignNext(siteId, agent) {
            // Automatic assignment (routing/router.ts) takes conversations through here, not through assign().
            const started = performance.now();
            const result = await storage.assignNext(siteId, agent);
            const conversation = result.kind === 'assigned' ? result.transition.conversation : undefined;
            if (conversation !== undefined) {
                const queuedAt = conversation.queuedAt;
                emit({
                    type: 'conversation.assigned',
                    conversation,
                    agent,
                    waitMs: queuedAt === undefined ? undefined : Math.max(0, now() - queuedAt),
                    durationMs: Math.max(0, performance.now() - started),
                });
            }
            return result;
        },
        async closeConversation(conversationId, by, reason) {
            const result = await storage.closeConversation(conversationId, by, reason);
            if (result.changed && result.conversation !== undefined) {
                emit({ type: 'conversation.closed', conversation: result.conversation, closedBy: by, ...(reason === undefined ? {} : { reason }) });
            }
            return result;
        },
        async rate(input) {
            const result = await storage.rate(input);
            if (result.created)
                emit({ type: 'rating.created', rating: result.rating });
            return result;
        },
    };
    // A Proxy rather than a spread: adapters may grow methods (or be class instances) and must keep working.
    return new Proxy(storage, {
        get(target, key, receiver) {
            if (typeof key === 'string' && Object.prototype.hasOwnProperty.call(overrides, key))
                return overrides[key];
            const value = Reflect.get(target, key, receiver);
            return typeof value === 'function' ? value.bind(target) : value;
        },
    });
}

// The operations part of the configuration: retention, metrics token, webhooks, and the arguments of the admin
// commands. Called by loadConfig (config.ts) with its flag/env reader; no I/O.
/** Admin commands run against the configured database and exit (see admin-cli.ts). */
const ADMIN_COMMANDS = ['export-visitor', 'erase-visitor', 'create-site', 'list-sites', 'list-agents', 'disable-agent'];
function isAdminCommand(command) {
    return ADMIN_COMMANDS.includes(command);
}
/** The flags and env vars read here (flag → env var; undefined: flag only). */
const OPS_OPTIONS = {
    'retention-days': 'PARLEY_RETENTION_DAYS',
    'webhook-urls': 'PARLEY_WEBHOOK_URLS',
    'webhook-events': 'PARLEY_WEBHOOK_EVENTS',
    visitor: undefined,
    agent: undefined,
    key: undefined,
    site: undefined,
};
const OPS_USAGE = `       parley-server export-visitor --visitor <id>      everything stored about a visitor, as JSON on stdout
       parley-server erase-visitor --visitor <id>       delete a visitor and all their conversations
       parley-server create-site --key <key> [--allowed-origins <list>]
       parley-server list-sites | list-agents [--site <key>] | disable-agent --agent <id>
`;
const OPS_OPTIONS_USAGE = `  --retention-days <n>     PARLEY_RETENTION_DAYS   delete conversations closed more than n days ago (hourly;
                                                   default: keep forever)
  --webhook-urls <list>    PARLEY_WEBHOOK_URLS     comma-separated URLs that receive signed event POSTs
  --webhook-events <list>  PARLEY_WEBHOOK_EVENTS   events to send (default all: ${DOMAIN_EVENT_TYPES.join(', ')})
                           PARLEY_WEBHOOK_SECRET   HMAC key for webhook signatures (>= 16 chars; needed with URLs)
                           PARLEY_METRICS_TOKEN    bearer token /metrics requires (default: open)
`;
const ID = /^[A-Za-z0-9_-]{1,128}$/;
function loadOpsConfig(command, get, env, invalid) {
    const retentionText = get('retention-days');
    let retentionDays;
    if (retentionText !== undefined) {
        retentionDays = Number(retentionText);
        if (!Number.isFinite(retentionDays) || retentionDays <= 0 || retentionDays > 36_500) {
            throw invalid(`retention days must be a number of days in (0, 36500], got "${retentionText}"`);
        }
    }
    const metricsToken = env.PARLEY_METRICS_TOKEN === '' ? undefined : env.PARLEY_METRICS_TOKEN;
    if (metricsToken !== undefined && (metricsToken.length < 16 || !/^[\x21-\x7e]+$/.test(metricsToken))) {
        throw invalid('PARLEY_METRICS_TOKEN must be at least 16 printable characters without spaces');
    }
    const urls = (get('webhook-urls') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    const secret = env.PARLEY_WEBHOOK_SECRET === '' ? undefined : env.PARLEY_WEBHOOK_SECRET;
    if (urls.length > 0 && (secret === undefined || secret.length < 16)) {
        throw invalid('webhook URLs need PARLEY_WEBHOOK_SECRET (at least 16 characters) to sign with');
    }
    const eventsText = get('webhook-events');
    let events;
    if (eventsText !== undefined) {
        events = eventsText.split(',').map((s) => s.trim()).filter((s) => s !== '');
        const unknown = events.find((e) => !DOMAIN_EVENT_TYPES.includes(e));
        if (unknown !== undefined || events.length === 0)
            throw invalid(`webhook events: use ${DOMAIN_EVENT_TYPES.join(', ')}`);
    }
    const webhooks = urls.map((url) => {
        let parsed;
        try {
            parsed = new URL(url);
        }
        catch {
            throw invalid(`webhook URL "${url}" is not a URL`);
        }
        if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
            throw invalid(`webhook URL "${url}" must be http(s)`);
        return { url, secret: secret, ...(events === undefined ? {} : { events }) };
    });
    const visitorId = get('visitor');
    const agentId = get('agent');
    const siteKey = get('key');
    const site = get('site');
    const needs = (flag, value, commands) => {
        if (commands.includes(command)) {
            if (value === undefined || !ID.test(value))
                throw invalid(`${command} needs --${flag} <id> (letters, digits, _ and -)`);
        }
        else if (value !== undefined)
            throw invalid(`--${flag} is only for ${commands.join(' and ')}`);
    };
    needs('visitor', visitorId, ['export-visitor', 'erase-visitor']);
    needs('agent', agentId, ['disable-agent']);
    needs('key', siteKey, ['create-site']);
    if (site !== undefined && (command !== 'list-agents' || !ID.test(site)))
        throw invalid('--site <key> is only for list-agents');
    return { retentionDays, metricsToken, webhooks, visitorId, agentId, siteKey, site };
}

// Visitor tokens (HMAC-SHA256, compact `payload.sig`) and agent token hashing. Pure apart from node:crypto.
/** 30 days: long enough that a returning shopper keeps their history, short enough that a leaked token dies. */
const DEFAULT_VISITOR_TOKEN_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** Shortest accepted signing secret, in characters. */
const MIN_SECRET_LENGTH = 32;
/**
 * Creates the signer. The clock is injected so expiry and rotation are testable.
 * @example
 * const tokens = createVisitorTokens({ secret, ttlMs: DEFAULT_VISITOR_TOKEN_TTL_MS });
 * const { token } = tokens.sign('v_123');
 */
function createVisitorTokens(options) {
    if (options.secret.length < MIN_SECRET_LENGTH) {
        throw new ParleyError('CONFIG_INVALID', `the token secret must be at least ${MIN_SECRET_LENGTH} characters`);
    }
    const ttlMs = options.ttlMs ?? DEFAULT_VISITOR_TOKEN_TTL_MS;
    if (!Number.isSafeInteger(ttlMs) || ttlMs < 60_000) {
        throw new ParleyError('CONFIG_INVALID', 'the visitor token lifetime must be at least one minute');
    }
    const now = options.now ?? Date.now;
    const key = Buffer.from(options.secret, 'utf8');
    const mac = (payload) => createHmac('sha256', key).update(payload).digest();
    const invalid = () => new ParleyError('AUTH_INVALID_TOKEN', 'the token is not valid');
    return {
        sign(visitorId) {
            const iat = now();
            const claims = { sub: visitorId, iat, exp: iat + ttlMs };
            const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
            return { token: `${payload}.${mac(payload).toString('base64url')}`, claims };
        },
        verify(token) {
            const dot = token.indexOf('.');
            if (dot <= 0 || dot !== token.lastIndexOf('.'))
                throw invalid();
            const payload = token.slice(0, dot);
            const given = Buffer.from(token.slice(dot + 1), 'base64url');
            const expected = mac(payload);
            // timingSafeEqual throws on unequal lengths, so compare lengths first (the length is not secret).
            if (given.length !== expected.length || !timingSafeEqual(given, expected))
                throw invalid();
            let claims;
            try {
                claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
            }
            catch {
                throw invalid();
            }
            if (!isClaims(claims))
                throw invalid();
            if (now() >= claims.exp)
                throw new ParleyError('AUTH_EXPIRED_TOKEN', 'the token has expired');
            return claims;
        },
        shouldRotate(claims) {
            return now() - claims.iat >= (claims.exp - claims.iat) / 2;
        },
    };
}
function isClaims(v) {
    if (typeof v !== 'object' || v === null)
        return false;
    const c = v;
    return typeof c.sub === 'string' && c.sub.length > 0 && Number.isSafeInteger(c.iat) && Number.isSafeInteger(c.exp);
}
/** A new random agent token. Only its hash is stored; the token itself is shown once. */
function generateAgentToken() {
    return `pat_${randomBytes(32).toString('base64url')}`;
}
/** SHA-256 of an agent token, hex. Agents are looked up by this hash, so the database never holds a usable token. */
function hashAgentToken(token) {
    return createHash('sha256').update(token, 'utf8').digest('hex');
}
/** A random signing secret for a fresh install. */
function generateSecret() {
    return randomBytes(32).toString('base64url');
}

// Command line and environment → a typed, validated ServerConfig, once at boot. No I/O beyond reading its inputs.
const DEFAULT_PORT = 8080;
const DEFAULT_DB_PATH = './.parley-data/parley.db';
const DEFAULT_REDIS_PREFIX = 'parley:';
/** Long enough to ride out a page reload or a network blip, short enough that a visitor is not left alone. */
const DEFAULT_AGENT_GRACE_MS$1 = 30_000;
const SCHEMA_NAME$1 = /^[a-z_][a-z0-9_]{0,62}$/;
const REDIS_PREFIX = /^[A-Za-z0-9:_.-]{1,64}$/;
/** flag → env var. A flag wins over its env var. */
const OPTIONS = {
    port: 'PARLEY_PORT',
    host: 'PARLEY_HOST',
    db: 'PARLEY_DB',
    'allowed-origins': 'PARLEY_ALLOWED_ORIGINS',
    'log-level': 'PARLEY_LOG_LEVEL',
    'token-ttl-days': 'PARLEY_TOKEN_TTL_DAYS',
    'message-rate': 'PARLEY_MESSAGE_RATE',
    'console-dir': 'PARLEY_CONSOLE_DIR',
    ...OPS_OPTIONS,
    'console-origins': 'PARLEY_CONSOLE_ORIGINS',
    'rate-exempt-ips': 'PARLEY_RATE_EXEMPT_IPS',
    'database-url': 'DATABASE_URL',
    'database-schema': 'PARLEY_DATABASE_SCHEMA',
    'redis-url': 'REDIS_URL',
    'redis-prefix': 'PARLEY_REDIS_PREFIX',
    assignment: 'PARLEY_ASSIGNMENT',
    'agent-grace-ms': 'PARLEY_AGENT_GRACE_MS',
    'upload-max-mb': 'PARLEY_UPLOAD_MAX_MB',
    'public-url': 'PARLEY_PUBLIC_URL',
    name: undefined,
    email: undefined,
    password: 'PARLEY_AGENT_PASSWORD',
    admin: undefined,
};
/** Flags that take no value. */
const SWITCHES = new Set(['admin']);
const USAGE = `Usage: parley-server [serve] [options]
       parley-server create-agent --name <name> [--email <e-mail> --password <pw>] [--admin] [--db <path>]
${OPS_USAGE}
Options (flag, then environment variable):
  --port <n>               PARLEY_PORT             TCP port, 0 for any free port (default ${DEFAULT_PORT})
  --host <addr>            PARLEY_HOST             interface to bind (default 0.0.0.0)
  --db <path>              PARLEY_DB               SQLite file, or :memory: (default ${DEFAULT_DB_PATH})
  --allowed-origins <list> PARLEY_ALLOWED_ORIGINS  comma-separated origins, or * (default *)
  --log-level <level>      PARLEY_LOG_LEVEL        debug | info | warn | error | silent (default info)
  --token-ttl-days <n>     PARLEY_TOKEN_TTL_DAYS   visitor token lifetime (default 30)
  --message-rate <n>       PARLEY_MESSAGE_RATE     messages per second per connection, burst 3x (default 10)
  --upload-max-mb <n>      PARLEY_UPLOAD_MAX_MB    largest attachment upload in MB (default 10)
  --public-url <origin>    PARLEY_PUBLIC_URL       this server's public origin (https://chat.example) for the
                                                   upload URLs it hands out (default: the request's Host)
  --console-dir <dir>      PARLEY_CONSOLE_DIR      serve the built agent console at /console/ (default: none)
  --console-origins <list> PARLEY_CONSOLE_ORIGINS  origins of consoles served elsewhere that may open /ws/agent
                                                   (this server's own origin always may; default: none)
  --rate-exempt-ips <list> PARLEY_RATE_EXEMPT_IPS  client IPs the per-IP limits skip: load generators only, never
                                                   a reverse proxy (default: none)
  --database-url <url>     DATABASE_URL            PostgreSQL (postgres://user@host:5432/db) instead of SQLite;
                                                   migrations run at start
  --database-schema <name> PARLEY_DATABASE_SCHEMA  Postgres schema for Parley's tables, created if missing
                                                   (default: the connection's search_path)
  --redis-url <url>        REDIS_URL               Redis (redis://host:6379) for fan-out across several nodes
                                                   (default: in memory, one node)
  --redis-prefix <prefix>  PARLEY_REDIS_PREFIX     prefix of every Redis channel (default ${DEFAULT_REDIS_PREFIX})
  --assignment <mode>      PARLEY_ASSIGNMENT       manual (agents pick from the queue) | auto (least loaded,
                                                   then longest idle online agent) (default manual)
  --agent-grace-ms <n>     PARLEY_AGENT_GRACE_MS   a disconnected agent's chats go back to the queue after
                                                   this long (default ${DEFAULT_AGENT_GRACE_MS$1})
${OPS_OPTIONS_USAGE}                           PARLEY_SECRET           token signing key (>= ${MIN_SECRET_LENGTH} chars); generated and
                                                   stored next to the database when absent

create-agent prints the agent's token once. With --email and --password (or PARLEY_AGENT_PASSWORD, which keeps
the password out of shell history) the agent can also log in to the console; --admin lets them see every
agent's figures.
`;
function invalid$1(message) {
    return new ParleyError('CONFIG_INVALID', `${message}\n\n${USAGE}`);
}
function parseArgv(argv) {
    let command = 'serve';
    const flags = {};
    let i = 0;
    if (argv[0] !== undefined && !argv[0].startsWith('-')) {
        if (argv[0] !== 'serve' && argv[0] !== 'create-agent' && argv[0] !== 'help' && !isAdminCommand(argv[0])) {
            throw invalid$1(`unknown command "${argv[0]}"`);
        }
        command = argv[0];
        i = 1;
    }
    for (; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === '--help' || arg === '-h') {
            command = 'help';
            continue;
        }
        if (!arg.startsWith('--'))
            throw invalid$1(`unexpected argument "${arg}"`);
        const eq = arg.indexOf('=');
        const name = (eq === -1 ? arg.slice(2) : arg.slice(2, eq));
        if (!Object.prototype.hasOwnProperty.call(OPTIONS, name))
            throw invalid$1(`unknown option "--${name}"`);
        if (SWITCHES.has(name)) {
            if (eq !== -1)
                throw invalid$1(`--${name} takes no value`);
            flags[name] = 'true';
            continue;
        }
        let value;
        if (eq !== -1)
            value = arg.slice(eq + 1);
        else
            value = argv[++i];
        if (value === undefined || (eq === -1 && value.startsWith('--')))
            throw invalid$1(`--${name} needs a value`);
        flags[name] = value;
    }
    return { command, flags };
}
function parseOrigins$1(raw) {
    const items = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    if (items.length === 0)
        throw invalid$1('allowed origins: give a comma-separated list of origins, or *');
    if (items.includes('*')) {
        if (items.length > 1)
            throw invalid$1('allowed origins: * cannot be combined with other origins');
        return '*';
    }
    for (const item of items) {
        let origin;
        try {
            origin = new URL(item).origin;
        }
        catch {
            throw invalid$1(`allowed origins: "${item}" is not an origin like https://shop.example`);
        }
        if (origin !== item)
            throw invalid$1(`allowed origins: "${item}" should be written "${origin}" (scheme://host[:port], no path)`);
    }
    return items;
}
function parseConsoleOrigins(raw) {
    const origins = parseOrigins$1(raw);
    if (origins === '*')
        throw invalid$1('console origins: list the consoles\' origins; * would let any page drive an agent\'s socket');
    return origins;
}
function parseAddresses(raw) {
    if (raw === undefined)
        return [];
    const items = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    for (const item of items) {
        if (isIP(item) === 0)
            throw invalid$1(`rate-exempt IPs: "${item}" is not an IP address`);
    }
    return items;
}
/**
 * Reads flags and env into a ServerConfig. Throws `ParleyError('CONFIG_INVALID')` with a message naming the bad
 * setting; the bin prints it and exits with code 2.
 * @example
 * const config = loadConfig(process.argv.slice(2), process.env);
 */
function loadConfig(argv, env) {
    const { command, flags } = parseArgv(argv);
    const get = (name) => {
        const envName = OPTIONS[name];
        const value = flags[name] ?? (envName === undefined ? undefined : env[envName]);
        return value === undefined || value === '' ? undefined : value;
    };
    const source = (name) => (flags[name] !== undefined ? `--${name}` : (OPTIONS[name] ?? `--${name}`));
    const portText = get('port');
    let port = DEFAULT_PORT;
    if (portText !== undefined) {
        port = Number(portText);
        if (!/^\d+$/.test(portText) || port > 65535)
            throw invalid$1(`${source('port')} must be an integer 0–65535, got "${portText}"`);
    }
    const logLevel = (get('log-level') ?? 'info');
    if (!LOG_LEVELS.includes(logLevel))
        throw invalid$1(`${source('log-level')} must be one of ${LOG_LEVELS.join(', ')}`);
    const ttlText = get('token-ttl-days');
    let visitorTokenTtlMs = DEFAULT_VISITOR_TOKEN_TTL_MS;
    if (ttlText !== undefined) {
        const days = Number(ttlText);
        if (!Number.isFinite(days) || days <= 0 || days > 3650) {
            throw invalid$1(`${source('token-ttl-days')} must be a number of days in (0, 3650], got "${ttlText}"`);
        }
        visitorTokenTtlMs = Math.round(days * 24 * 60 * 60 * 1000);
        if (visitorTokenTtlMs < 60_000)
            throw invalid$1(`${source('token-ttl-days')} must be at least one minute`);
    }
    const secret = env.PARLEY_SECRET === '' ? undefined : env.PARLEY_SECRET;
    if (secret !== undefined && secret.length < MIN_SECRET_LENGTH) {
        throw invalid$1(`PARLEY_SECRET must be at least ${MIN_SECRET_LENGTH} characters (try: openssl rand -base64 32)`);
    }
    const rateText = get('message-rate');
    let messageRate;
    if (rateText !== undefined) {
        messageRate = Number(rateText);
        if (!Number.isFinite(messageRate) || messageRate <= 0 || messageRate > 100_000) {
            throw invalid$1(`${source('message-rate')} must be a number of messages per second in (0, 100000], got "${rateText}"`);
        }
    }
    const uploadText = get('upload-max-mb');
    let uploadMaxBytes;
    if (uploadText !== undefined) {
        const mb = Number(uploadText);
        if (!Number.isFinite(mb) || mb <= 0 || mb > 1024)
            throw invalid$1(`${source('upload-max-mb')} must be a number of MB in (0, 1024], got "${uploadText}"`);
        uploadMaxBytes = Math.floor(mb * 1024 * 1024);
    }
    const publicUrl = get('public-url');
    if (publicUrl !== undefined && !/^https?:\/\/[^/?#\s]+\/?$/.test(publicUrl)) {
        throw invalid$1(`${source('public-url')} must be an origin like https://chat.example, got "${publicUrl}"`);
    }
    const agentName = get('name');
    if (command === 'create-agent' && (agentName === undefined || agentName.trim() === '' || agentName.length > 512)) {
        throw invalid$1('create-agent needs --name <name> (1–512 characters)');
    }
    if (command !== 'create-agent' && agentName !== undefined)
        throw invalid$1('--name is only for create-agent');
    const agentEmail = get('email');
    // The password may come from the env; only a flag outside create-agent is an error.
    const agentPassword = command === 'create-agent' ? get('password') : undefined;
    const isAdmin = get('admin') === 'true';
    if (command !== 'create-agent' && (agentEmail !== undefined || flags.password !== undefined || isAdmin)) {
        throw invalid$1('--email, --password and --admin are only for create-agent');
    }
    if ((agentEmail === undefined) !== (agentPassword === undefined)) {
        throw invalid$1('create-agent needs both --email and --password (or PARLEY_AGENT_PASSWORD) for a console login, or neither');
    }
    const databaseUrl = get('database-url');
    if (databaseUrl !== undefined && !/^postgres(ql)?:\/\/[^\s]+$/.test(databaseUrl)) {
        throw invalid$1(`${source('database-url')} must be a postgres:// or postgresql:// URL`);
    }
    const databaseSchema = get('database-schema');
    if (databaseSchema !== undefined && !SCHEMA_NAME$1.test(databaseSchema)) {
        throw invalid$1(`${source('database-schema')} must be lowercase letters, digits and _ (at most 63), got "${databaseSchema}"`);
    }
    if (databaseSchema !== undefined && databaseUrl === undefined)
        throw invalid$1(`${source('database-schema')} needs --database-url (DATABASE_URL)`);
    const redisUrl = get('redis-url');
    if (redisUrl !== undefined && !/^rediss?:\/\/[^\s]+$/.test(redisUrl)) {
        throw invalid$1(`${source('redis-url')} must be a redis:// or rediss:// URL`);
    }
    const redisPrefix = get('redis-prefix') ?? DEFAULT_REDIS_PREFIX;
    if (!REDIS_PREFIX.test(redisPrefix)) {
        throw invalid$1(`${source('redis-prefix')} must be 1–64 characters of letters, digits and : _ . -, got "${redisPrefix}"`);
    }
    const assignment = get('assignment') ?? 'manual';
    if (assignment !== 'manual' && assignment !== 'auto')
        throw invalid$1(`${source('assignment')} must be manual or auto, got "${assignment}"`);
    const graceText = get('agent-grace-ms');
    let agentGraceMs = DEFAULT_AGENT_GRACE_MS$1;
    if (graceText !== undefined) {
        agentGraceMs = Number(graceText);
        if (!/^\d+$/.test(graceText) || agentGraceMs < 100 || agentGraceMs > 86_400_000) {
            throw invalid$1(`${source('agent-grace-ms')} must be whole milliseconds in [100, 86400000], got "${graceText}"`);
        }
    }
    const consoleOriginsText = get('console-origins');
    return {
        command,
        port,
        host: get('host') ?? '0.0.0.0',
        dbPath: get('db') ?? DEFAULT_DB_PATH,
        secret,
        allowedOrigins: parseOrigins$1(get('allowed-origins') ?? '*'),
        logLevel,
        visitorTokenTtlMs,
        agentName: agentName?.trim(),
        agentEmail,
        agentPassword,
        isAdmin,
        consoleDir: get('console-dir'),
        messageRate,
        ops: loadOpsConfig(command, get, env, invalid$1),
        consoleOrigins: consoleOriginsText === undefined ? [] : parseConsoleOrigins(consoleOriginsText),
        rateExemptAddresses: parseAddresses(get('rate-exempt-ips')),
        databaseUrl,
        databaseSchema,
        redisUrl,
        redisPrefix,
        assignment,
        agentGraceMs,
        uploadMaxBytes,
        publicUrl,
    };
}

// The Fanout interface: topic → subscribers, so a frame published on one node reaches every socket that wants it.
// memory.ts serves one node; a Redis adapter (later) serves many. Payloads must stay JSON-serialisable.
/** Topic of one conversation's members. */
const conversationTopic = (conversationId) => `conversation:${conversationId}`;
/** Topic of every connection of one visitor (queue position, agent joined). */
const visitorTopic = (visitorId) => `visitor:${visitorId}`;
/** Topic of every agent connection of one site (queue snapshots). */
const siteAgentsTopic = (siteId) => `site-agents:${siteId}`;
/** Topic of every connection of one agent: a closing `error` published here (revocation) ends them all. */
const agentTopic = (agentId) => `agent:${agentId}`;
/** Topic of the connections that authenticated with one agent credential (by its SHA-256): a logout ends just those. */
const credentialTopic = (tokenHash) => `credential:${tokenHash}`;

// Shopper identity verification against a site's identity secret: HMAC-SHA256 of the user id, or an HS256 JWT.
// Pure apart from node:crypto and jose; knows nothing of sockets or storage.
/** Clock skew allowed between the site's backend and this server when checking a JWT's `exp` and `iat`. */
const IDENTITY_CLOCK_TOLERANCE_S = 30;
/** A JWT older than this (by `iat`) is refused even if its `exp` is later: identity JWTs are meant to be short-lived. */
const IDENTITY_JWT_MAX_AGE_S = 24 * 60 * 60;
const invalid = (message, reason) => new ParleyError('AUTH_IDENTITY_INVALID', message, { details: { reason } });
/**
 * The hex HMAC-SHA256 of `userId` under `secret`: what a site's backend puts in `identity.hmac`.
 * @example
 * // on the site's backend, per page view:
 * const hmac = signIdentity(process.env.PARLEY_IDENTITY_SECRET, user.id);
 */
function signIdentity(secret, userId) {
    return createHmac('sha256', Buffer.from(secret, 'utf8')).update(userId, 'utf8').digest('hex');
}
/**
 * Checks an identity against the site's secret. Throws `AUTH_IDENTITY_INVALID` (with `details.reason`) when the
 * site has no secret, both or neither proof is given, the HMAC does not match, or the JWT is malformed, signed with
 * another key or algorithm, expired, issued in the future, too old, or names another user than `userId`.
 */
async function verifyIdentity(identitySecret, identity, nowMs) {
    if (identitySecret === undefined)
        throw invalid('this site does not accept shopper identities', 'no_secret');
    if ((identity.hmac === undefined) === (identity.jwt === undefined)) {
        throw invalid('give exactly one of identity.hmac and identity.jwt', 'shape');
    }
    if (identity.hmac !== undefined) {
        if (identity.userId === undefined)
            throw invalid('identity.hmac needs identity.userId', 'shape');
        const expected = Buffer.from(signIdentity(identitySecret, identity.userId), 'hex');
        const given = /^[0-9a-f]{64}$/i.test(identity.hmac) ? Buffer.from(identity.hmac, 'hex') : Buffer.alloc(0);
        // timingSafeEqual throws on unequal lengths; the length of a SHA-256 is no secret.
        if (given.length !== expected.length || !timingSafeEqual(given, expected))
            throw invalid('the identity signature does not match', 'signature');
        return { userId: identity.userId };
    }
    let payload;
    try {
        ({ payload } = await jwtVerify(identity.jwt, Buffer.from(identitySecret, 'utf8'), {
            algorithms: ['HS256'],
            requiredClaims: ['sub', 'exp', 'iat'],
            clockTolerance: IDENTITY_CLOCK_TOLERANCE_S,
            maxTokenAge: IDENTITY_JWT_MAX_AGE_S,
            currentDate: new Date(nowMs),
        }));
    }
    catch (err) {
        if (err instanceof errors.JWTExpired)
            throw invalid('the identity token has expired', 'expired');
        if (err instanceof errors.JOSEError)
            throw invalid('the identity token is not valid', err.code);
        throw err;
    }
    const sub = payload.sub;
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > 512)
        throw invalid('the identity token has no usable sub', 'claims');
    if (identity.userId !== undefined && identity.userId !== sub)
        throw invalid('identity.userId differs from the token subject', 'claims');
    return { userId: sub, expiresAt: payload.exp * 1000 };
}
/** True once a JWT-proven identity has expired (with the same tolerance): the session may do nothing more with it. */
function isIdentityStale(identity, nowMs) {
    return identity.expiresAt !== undefined && nowMs >= identity.expiresAt + IDENTITY_CLOCK_TOLERANCE_S * 1000;
}

// Who may see or do what. Throws ParleyError; same error for "missing" and "not yours" so ids are no oracle.
function requireSession(ctx) {
    if (ctx.session === undefined)
        throw new ParleyError('PROTOCOL_NOT_AUTHENTICATED', 'send hello first');
    return ctx.session;
}
function requireRole(ctx, role) {
    const session = requireSession(ctx);
    if (session.role !== role)
        throw new ParleyError('AUTH_FORBIDDEN', `only a ${role} may do this`);
    return session;
}
/** Visitors see their own conversations; agents see every conversation of their site. */
function canSee(session, conversation) {
    return session.role === 'visitor' ? conversation.visitorId === session.subjectId : conversation.siteId === session.siteId;
}
async function loadConversation(ctx, conversationId) {
    const session = requireSession(ctx);
    const conversation = await ctx.services.storage.getConversation(conversationId);
    if (conversation === undefined || !canSee(session, conversation)) {
        throw new ParleyError('CONVERSATION_NOT_FOUND', 'no such conversation');
    }
    return conversation;
}
/**
 * Who may see a conversation never changes (its visitor and site are fixed), so once a session has passed the check
 * for an id, `message.send` skips the read. Status is not cached: storage refuses appends to a closed or erased
 * conversation in the commit itself. Keyed by the session object, so it lives and dies with the connection.
 */
const seenBySession = new WeakMap();
/** Enough for an agent's open chats; past it the set starts over rather than grow with a long-lived socket. */
const MAX_SEEN_PER_SESSION = 256;
/** Refuses with the same error as loadConversation; reads the conversation only the first time per session. */
async function requireVisibleConversation(ctx, conversationId) {
    const session = requireSession(ctx);
    const seen = seenBySession.get(session);
    if (seen?.has(conversationId))
        return;
    const conversation = await loadConversation(ctx, conversationId);
    if (conversation.status === 'closed')
        throw new ParleyError('CONVERSATION_CLOSED', 'the conversation is closed');
    if (seen === undefined)
        seenBySession.set(session, new Set([conversationId]));
    else {
        if (seen.size >= MAX_SEEN_PER_SESSION)
            seen.clear();
        seen.add(conversationId);
    }
}
function toConversationInfo(conversation) {
    const info = {
        id: conversation.id,
        status: conversation.status,
        lastSeq: conversation.lastSeq,
        createdAt: conversation.createdAt,
        visitorId: conversation.visitorId,
    };
    if (conversation.agent !== undefined)
        info.agent = conversation.agent;
    if (conversation.escalationReason !== undefined)
        info.escalationReason = conversation.escalationReason;
    return info;
}

// `agent.availability` (agent): online / away / offline and capacity, for every connection of the agent; an agent
// coming online (or taking more) may be given queued conversations at once in auto mode.
async function handleAgentAvailability(ctx, frame) {
    const session = requireRole(ctx, 'agent');
    const { storage, router } = ctx.services;
    await storage.setAgentAvailability(session.subjectId, frame.availability);
    if (frame.capacity !== undefined)
        await storage.setAgentCapacity(session.subjectId, frame.capacity);
    ctx.reply({ type: 'ok', ref: frame.ref });
    await router.queueChanged(session.siteId);
}

// `conversation.accept` (agent): take a queued conversation or answer an offline message, exactly once across agents
// and nodes (one conditional write in storage); tell the visitor.
async function handleConversationAccept(ctx, frame) {
    const session = requireRole(ctx, 'agent');
    const agent = session.agent;
    const conversation = await loadConversation(ctx, frame.conversationId);
    const result = await ctx.services.storage.assign(conversation.id, agent);
    const after = result.conversation ?? conversation;
    if (!result.changed) {
        // A retry by the winner is answered as a success; everyone else lost the race or came too early/late.
        if (after.status === 'assigned' && after.agent?.id === agent.id) {
            ctx.reply({ type: 'conversation.assigned', ref: frame.ref, conversationId: after.id, agent });
            return;
        }
        if (after.status === 'closed')
            throw new ParleyError('CONVERSATION_CLOSED', 'the conversation is closed');
        throw new ParleyError('AUTH_FORBIDDEN', after.status === 'assigned' ? 'another agent took this conversation' : 'the conversation is not waiting for an agent');
    }
    ctx.reply({ type: 'conversation.assigned', ref: frame.ref, conversationId: after.id, agent });
    await ctx.services.router.announceAssigned(result, agent);
    await ctx.services.router.queueChanged(session.siteId);
}

// `conversation.close` (either side): close once, write an event message, tell both sides.
async function handleConversationClose(ctx, frame) {
    const session = requireSession(ctx);
    const conversation = await loadConversation(ctx, frame.conversationId);
    // A chat an agent has taken is theirs to end; a colleague closing it would cut the shopper off mid-conversation.
    if (session.role === 'agent' && conversation.status === 'assigned' && conversation.agent?.id !== session.subjectId) {
        throw new ParleyError('AUTH_FORBIDDEN', 'only the agent who has this conversation may close it');
    }
    const result = await ctx.services.storage.closeConversation(conversation.id, session.role, frame.reason);
    const closed = { type: 'conversation.closed', conversationId: conversation.id, by: session.role };
    if (frame.reason !== undefined)
        closed.reason = frame.reason;
    // Closing twice is answered like the first time, so a retried close after a reconnect is harmless.
    ctx.reply({ ...closed, ref: frame.ref });
    if (!result.changed)
        return;
    const topic = conversationTopic(conversation.id);
    if (result.event !== undefined)
        await ctx.publish(topic, { frame: { type: 'message.new', message: result.event } });
    await ctx.publish(topic, { frame: closed, exceptConnectionId: ctx.connectionId });
    // A queued one leaves the queue; an assigned one frees a seat of its agent (auto mode may fill it).
    if (conversation.status === 'queued' || conversation.status === 'assigned')
        await ctx.services.router.queueChanged(conversation.siteId);
}

// Whether a site is open at a given instant, in the site's own time zone. Escalations outside the hours become
// offline messages even when an agent happens to be signed in, as a site owner who sets hours expects.
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const formatters = new Map();
function formatterFor(timezone) {
    let f = formatters.get(timezone);
    if (f === undefined) {
        // en-US with h23 gives stable "Mon" and "00".."23" parts whatever the server's locale.
        f = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
        formatters.set(timezone, f);
    }
    return f;
}
/** True when `at` (ms since the epoch) falls inside one of the open intervals; `close` is exclusive. */
function isOpenAt(hours, at) {
    const parts = formatterFor(hours.timezone).formatToParts(new Date(at));
    const part = (type) => parts.find((p) => p.type === type)?.value ?? '';
    const day = WEEKDAYS.indexOf(part('weekday'));
    const time = `${part('hour')}:${part('minute')}`;
    return hours.days.some((d) => d.day === day && d.open <= time && time < d.close);
}

// `conversation.escalate` (visitor): queue for a human with reason, transcript and profile; tell agents and visitor.
// With no agent online, or outside the site's business hours, the conversation becomes an offline message instead
// (status 'offline', not queued).
async function handleConversationEscalate(ctx, frame) {
    const session = requireRole(ctx, 'visitor');
    const conversation = await loadConversation(ctx, frame.conversationId);
    if (conversation.status === 'closed')
        throw new ParleyError('CONVERSATION_CLOSED', 'the conversation is closed');
    // Checked before the write: an agent who comes online a moment later finds it in history, and the visitor
    // may escalate again (offline → queued).
    const site = await ctx.services.storage.getSite(session.siteId);
    const isOpen = site?.businessHours === undefined || isOpenAt(site.businessHours, ctx.services.now());
    const isStaffed = isOpen && (await ctx.services.router.isStaffed(session.siteId));
    const result = await ctx.services.storage.escalate({
        conversationId: conversation.id,
        reason: frame.reason,
        transcript: frame.transcript,
        // The verified id comes from the session, never from the frame (the decoder drops a client's own claim).
        ...(frame.profile === undefined && session.identity === undefined
            ? {}
            : { profile: { ...frame.profile, ...(session.identity === undefined ? {} : { verifiedUserId: session.identity.userId }) } }),
        status: isStaffed ? 'queued' : 'offline',
    });
    const status = result.conversation?.status === 'offline' ? 'offline' : 'queued';
    ctx.reply({
        type: 'conversation.escalated',
        ref: frame.ref,
        conversationId: conversation.id,
        reason: result.conversation?.escalationReason ?? frame.reason,
        status,
    });
    if (result.changed && status === 'queued')
        await ctx.services.router.queueChanged(session.siteId);
}

// `conversation.join`: subscribe first, then `conversation.joined`, then replay every message after the resume point.
/**
 * Joins one conversation from `afterSeq`. Shared with `hello.resume` (no ref then). Subscribing before reading
 * means a message stored meanwhile arrives live, by replay, or both; the client drops duplicates by seq.
 */
async function joinConversation(ctx, conversationId, afterSeq, ref) {
    const conversation = await loadConversation(ctx, conversationId);
    if (afterSeq > conversation.lastSeq) {
        throw new ParleyError('PROTOCOL_STALE_RESUME', `afterSeq ${afterSeq} is beyond the last seq ${conversation.lastSeq}`);
    }
    await ctx.subscribe(conversationTopic(conversationId));
    ctx.reply(ref === undefined
        ? { type: 'conversation.joined', conversation: toConversationInfo(conversation) }
        : { type: 'conversation.joined', ref, conversation: toConversationInfo(conversation) });
    const { storage } = ctx.services;
    const limit = ctx.services.limits.maxHistoryPage;
    let cursor = afterSeq;
    for (;;) {
        const page = await storage.listMessages({ conversationId, afterSeq: cursor, limit });
        for (const message of page.messages)
            ctx.reply({ type: 'message.new', message });
        const last = page.messages.at(-1);
        if (!page.hasMore || last === undefined)
            break;
        cursor = last.seq;
    }
}
async function handleConversationJoin(ctx, frame) {
    await joinConversation(ctx, frame.conversationId, frame.afterSeq, frame.ref);
}

// `conversation.start` (visitor): idempotent on clientId; rate-limited per visitor; joins the new conversation.
async function handleConversationStart(ctx, frame) {
    const session = requireRole(ctx, 'visitor');
    if (!ctx.services.takeConversationStart(session.subjectId)) {
        throw new ParleyError('RATE_LIMITED', 'too many new conversations; try again in a minute', { retryable: true });
    }
    const { conversation } = await ctx.services.storage.startConversation({
        siteId: session.siteId,
        visitorId: session.subjectId,
        clientId: frame.clientId,
        ...(frame.profile === undefined ? {} : { profile: frame.profile }),
    });
    await ctx.subscribe(conversationTopic(conversation.id));
    ctx.reply({ type: 'conversation.joined', ref: frame.ref, conversation: toConversationInfo(conversation) });
}

// `conversation.transfer` (agent): the assigned agent hands a conversation to another online agent of the site,
// or back to the queue. The move is a conditional write (the target's capacity counted under its row lock), so a
// transfer racing a requeue, a close or an automatic assignment happens once and never overfills the target.
async function handleConversationTransfer(ctx, frame) {
    const session = requireRole(ctx, 'agent');
    const from = session.agent;
    const { storage, router } = ctx.services;
    const conversation = await loadConversation(ctx, frame.conversationId);
    if (conversation.status === 'closed')
        throw new ParleyError('CONVERSATION_CLOSED', 'the conversation is closed');
    if (conversation.status !== 'assigned' || conversation.agent?.id !== from.id) {
        throw new ParleyError('AUTH_FORBIDDEN', 'only the agent who has the conversation may transfer it');
    }
    let to;
    if (frame.toAgentId !== undefined) {
        if (frame.toAgentId === from.id)
            throw new ParleyError('PROTOCOL_BAD_FRAME', 'toAgentId is you; give another agent, or none for the queue');
        // Only connected, online agents of the same site: a transfer to someone away would strand the visitor.
        const target = (await storage.listAgentLoads(session.siteId, router.liveSince())).find((l) => l.agent.id === frame.toAgentId);
        if (target === undefined || target.availability !== 'online') {
            throw new ParleyError('AUTH_FORBIDDEN', 'that agent is not online', { details: { reason: 'agent_unavailable' } });
        }
        to = target.agent;
    }
    const result = await storage.transfer(conversation.id, from.id, from, to);
    if (result.refusal === 'agent_full')
        throw new ParleyError('AUTH_FORBIDDEN', 'that agent has no free capacity', { details: { reason: 'agent_full' } });
    if (!result.changed)
        throw new ParleyError('AUTH_FORBIDDEN', 'the conversation is no longer yours');
    ctx.reply({ type: 'ok', ref: frame.ref });
    await router.announceLeft({ ...result, event: undefined }, from);
    if (to !== undefined)
        await router.announceAssigned(result, to);
    else {
        if (result.event !== undefined)
            await ctx.publish(conversationTopic(conversation.id), { frame: { type: 'message.new', message: result.event } });
        await router.queueChanged(session.siteId);
    }
}

// Queue wait estimates: an exponentially weighted moving average of recent waits, spread over queue positions.
// Pure; storage supplies the waits.
/** Weight of the newest wait: about the last half-dozen waits carry most of the estimate. */
const WAIT_EWMA_ALPHA = 0.3;
/** Assumed wait before any conversation of the site has been assigned. */
const DEFAULT_WAIT_MS = 120_000;
/**
 * EWMA over `waitsMs`, oldest first: each new wait moves the average `alpha` of the way towards itself.
 * Returns `fallbackMs` when there are no waits yet.
 * @example
 * ewmaMs([60_000, 30_000], 0.5) // 45_000
 */
function ewmaMs(waitsMs, alpha = WAIT_EWMA_ALPHA, fallbackMs = DEFAULT_WAIT_MS) {
    if (!(alpha > 0 && alpha <= 1))
        throw new RangeError('alpha must be in (0, 1]');
    let average;
    for (const wait of waitsMs) {
        if (!Number.isFinite(wait) || wait < 0)
            continue;
        average = average === undefined ? wait : average + alpha * (wait - average);
    }
    return average ?? fallbackMs;
}
/**
 * Seconds until the entry at `position` (1 = next) of a queue of `queueLength` is taken. The average wait is what
 * a conversation joining at the back has recently waited; with the queue served in order, the entries ahead of the
 * back are proportionally nearer, so the head waits `average / length` and the back the whole `average`.
 */
function estimateWaitSeconds(position, queueLength, averageWaitMs) {
    const length = Math.max(1, queueLength, position);
    return Math.max(0, Math.round((averageWaitMs * position) / length / 1000));
}

// Pushes the queue after it changes: `queue.snapshot` to the site's agents, `queue.update` to each waiting visitor.
/** How many recent waits feed the moving average. */
const RECENT_WAITS = 20;
/** The site's queue as wire entries, each with the visitor it belongs to. */
async function queueEntries(services, siteId) {
    const queue = await services.storage.listQueue(siteId);
    const averageWaitMs = queue.length === 0 ? 0 : ewmaMs(await services.storage.listRecentWaits(siteId, RECENT_WAITS));
    return queue.map((item, i) => ({
        visitorId: item.visitorId,
        entry: {
            conversationId: item.conversationId,
            position: i + 1,
            etaSeconds: estimateWaitSeconds(i + 1, queue.length, averageWaitMs),
            waitingSince: item.queuedAt,
            reason: item.reason,
            visitor: item.profile,
            transcript: item.transcript,
        },
    }));
}
async function broadcastQueue(services, siteId) {
    const items = await queueEntries(services, siteId);
    await services.fanout.publish(siteAgentsTopic(siteId), {
        frame: { type: 'queue.snapshot', entries: items.map((i) => i.entry) },
    });
    for (const { entry, visitorId } of items) {
        await services.fanout.publish(visitorTopic(visitorId), {
            frame: { type: 'queue.update', conversationId: entry.conversationId, position: entry.position, etaSeconds: entry.etaSeconds },
        });
    }
}

// `hello`: version check, authentication (visitor token or agent token), `welcome`, then resumes.
async function authenticateVisitor(ctx, frame) {
    const { storage, tokens } = ctx.services;
    const site = frame.siteKey === undefined ? await storage.getDefaultSite() : await storage.getSiteByKey(frame.siteKey);
    if (site === undefined)
        throw new ParleyError('AUTH_FORBIDDEN', 'unknown site key');
    if (!site.allowedOrigins.includes('*') && (ctx.origin === undefined || !site.allowedOrigins.includes(ctx.origin))) {
        throw new ParleyError('AUTH_ORIGIN_REFUSED', 'this origin may not open visitor sessions for the site');
    }
    // The identity is checked before anything is created, so a refused hello leaves no rows behind.
    let identity;
    if (frame.identity !== undefined)
        identity = await verifyIdentity(site.identitySecret, frame.identity, ctx.services.now());
    else if (site.requiresIdentity)
        throw new ParleyError('AUTH_IDENTITY_REQUIRED', 'this site requires a signed shopper identity in hello.identity');
    let claims;
    let visitor;
    if (frame.token !== undefined) {
        claims = tokens.verify(frame.token);
        visitor = await storage.getVisitor(claims.sub);
        // A valid signature for a visitor this database does not know (or of another site) is still not a valid token.
        if (visitor === undefined || visitor.siteId !== site.id)
            throw new ParleyError('AUTH_INVALID_TOKEN', 'the token is not valid');
    }
    // A verified identity decides who the visitor is; the token only says which anonymous visitor may be bound to it.
    const subject = identity !== undefined
        ? await storage.identifyVisitor({ siteId: site.id, externalId: identity.userId, ...(visitor === undefined ? {} : { visitorId: visitor.id }) })
        : (visitor ?? (await storage.createVisitor(site.id)));
    const session = { role: 'visitor', subjectId: subject.id, siteId: site.id, ...(identity === undefined ? {} : { identity }) };
    if (claims !== undefined && claims.sub === subject.id && !tokens.shouldRotate(claims))
        return { session };
    const signed = tokens.sign(subject.id);
    return { session, token: signed.token, expiresAt: signed.claims.exp };
}
async function authenticateAgent(ctx, frame) {
    if (frame.token === undefined)
        throw new ParleyError('AUTH_INVALID_TOKEN', 'agents must send their token');
    const credentialHash = hashAgentToken(frame.token);
    const agent = await ctx.services.storage.getAgentByTokenHash(credentialHash);
    if (agent === undefined)
        throw new ParleyError('AUTH_INVALID_TOKEN', 'the token is not valid');
    const info = agent.avatarUrl === undefined ? { id: agent.id, name: agent.name } : { id: agent.id, name: agent.name, avatarUrl: agent.avatarUrl };
    return { role: 'agent', subjectId: agent.id, siteId: agent.siteId, agent: info, credentialHash };
}
async function handleHello(ctx, frame) {
    if (ctx.session !== undefined)
        throw new ParleyError('PROTOCOL_BAD_FRAME', 'hello was already accepted on this connection');
    if (frame.v !== PROTOCOL_VERSION) {
        throw new ParleyError('PROTOCOL_VERSION_UNSUPPORTED', `this server speaks protocol version ${PROTOCOL_VERSION}`);
    }
    if (frame.role !== ctx.endpointRole) {
        throw new ParleyError('AUTH_FORBIDDEN', `hello.role must be "${ctx.endpointRole}" on this endpoint`);
    }
    let session;
    const welcome = { type: 'welcome', ref: frame.ref, v: PROTOCOL_VERSION, role: frame.role, subjectId: '', heartbeatMs: ctx.services.heartbeatMs };
    if (frame.role === 'visitor') {
        const result = await authenticateVisitor(ctx, frame);
        session = result.session;
        if (result.token !== undefined) {
            welcome.token = result.token;
            welcome.tokenExpiresAt = result.expiresAt;
        }
    }
    else {
        session = await authenticateAgent(ctx, frame);
    }
    welcome.subjectId = session.subjectId;
    await ctx.authenticate(session);
    ctx.reply(welcome);
    ctx.services.logger.info('session.start', { connectionId: ctx.connectionId, role: session.role, subjectId: session.subjectId });
    if (session.role === 'agent') {
        const entries = (await queueEntries(ctx.services, session.siteId)).map((i) => i.entry);
        ctx.reply({ type: 'queue.snapshot', entries });
    }
    for (const point of frame.resume ?? []) {
        try {
            await joinConversation(ctx, point.conversationId, point.afterSeq);
        }
        catch (err) {
            // One bad resume point must not spoil the others: report it against its conversation and go on.
            if (!(err instanceof ParleyError) || err.code === 'STORAGE_UNAVAILABLE')
                throw err;
            ctx.reply({ type: 'error', code: err.code, message: err.message, conversationId: point.conversationId });
        }
    }
    // Last, once the agent is subscribed and has its snapshot: in auto mode waiting conversations may go to them now.
    if (session.role === 'agent')
        await ctx.services.router.agentArrived(session.siteId);
}

// `history.get`: one page of messages, forward from afterSeq or backward from beforeSeq, ascending.
/** Page size when the client does not ask for one. */
const DEFAULT_PAGE = 50;
async function handleHistoryGet(ctx, frame) {
    if (frame.afterSeq !== undefined && frame.beforeSeq !== undefined) {
        throw new ParleyError('PROTOCOL_BAD_FRAME', 'send afterSeq or beforeSeq, not both');
    }
    const conversation = await loadConversation(ctx, frame.conversationId);
    const limit = Math.min(frame.limit ?? DEFAULT_PAGE, ctx.services.limits.maxHistoryPage);
    const page = await ctx.services.storage.listMessages({
        conversationId: conversation.id,
        limit,
        ...(frame.afterSeq === undefined ? {} : { afterSeq: frame.afterSeq }),
        ...(frame.beforeSeq === undefined ? {} : { beforeSeq: frame.beforeSeq }),
    });
    ctx.reply({ type: 'history.page', ref: frame.ref, conversationId: conversation.id, messages: page.messages, hasMore: page.hasMore });
}

// Uploaded files on disk: `<dir>/<id>` holds the bytes, `<id>.json` what the server learnt about them. Random ids
// (144 bits) are the only names, so nothing a sender writes ever reaches a path.
const UPLOAD_ID = /^[A-Za-z0-9_-]{24}$/;
/** The upload id in a URL this server issued (`…/uploads/<id>`), or undefined. */
function uploadIdFromUrl(url) {
    let path;
    try {
        path = new URL(url).pathname;
    }
    catch {
        return undefined;
    }
    const match = /\/uploads\/([^/]+)$/.exec(path);
    return match !== null && UPLOAD_ID.test(match[1]) ? match[1] : undefined;
}
function createDiskUploadStore(dir) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const dataPath = (id) => join(dir, id);
    const recordPath = (id) => join(dir, `${id}.json`);
    return {
        dir,
        begin() {
            const id = randomBytes(18).toString('base64url');
            const partPath = join(dir, `${id}.part`);
            const stream = createWriteStream(partPath, { mode: 0o600 });
            return {
                id,
                stream,
                async commit(record) {
                    await rename(partPath, dataPath(id));
                    const stored = { id, ...record };
                    await writeFile(recordPath(id), JSON.stringify(stored), { mode: 0o600 });
                    return stored;
                },
                async discard() {
                    stream.destroy();
                    await rm(partPath, { force: true });
                },
            };
        },
        async get(id) {
            if (!UPLOAD_ID.test(id))
                return undefined;
            try {
                return JSON.parse(await readFile(recordPath(id), 'utf8'));
            }
            catch {
                return undefined;
            }
        },
        open(id) {
            return createReadStream(dataPath(id));
        },
        async deleteByUrls(urls) {
            let deleted = 0;
            for (const url of urls) {
                const id = uploadIdFromUrl(url);
                if (id === undefined)
                    continue;
                const record = await this.get(id);
                if (record === undefined || record.url !== url)
                    continue;
                // The record goes last: a crash in between leaves a record whose file is gone, never an unlisted file.
                await rm(dataPath(id), { force: true });
                await rm(recordPath(id), { force: true });
                deleted++;
            }
            return deleted;
        },
    };
}

// Message attachments may only point at files this server stored for the same sender: anything else (a foreign
// URL, another visitor's upload, a forged size or type) is refused, and what is stored comes from the server's record.
async function resolveAttachments(store, senderId, given) {
    const refused = (url) => new ParleyError('ATTACHMENT_URL_REFUSED', `not a file this server stored for you: ${url.slice(0, 200)}`);
    const resolved = [];
    for (const attachment of given) {
        const id = uploadIdFromUrl(attachment.url);
        const record = store === undefined || id === undefined ? undefined : await store.get(id);
        if (record === undefined || record.url !== attachment.url || record.owner !== senderId)
            throw refused(attachment.url);
        resolved.push({ name: record.name, mime: record.mime, size: record.size, url: record.url });
    }
    return resolved;
}

// `message.send`: durable, deduplicated store with a seq, then ack, then `message.new` to every member.
async function handleMessageSend(ctx, frame) {
    const session = requireSession(ctx);
    // Closed or erased conversations are refused by appendMessage inside the commit, so a cached check is enough.
    await requireVisibleConversation(ctx, frame.conversationId);
    // Buttons are the agent's offer to the shopper; a visitor's would be shown to nobody and could only mislead.
    if (frame.quickReplies !== undefined && session.role !== 'agent') {
        throw new ParleyError('AUTH_FORBIDDEN', 'only agents can offer quick replies');
    }
    const attachments = frame.attachments === undefined ? undefined : await resolveAttachments(ctx.services.uploads, session.subjectId, frame.attachments);
    const author = session.agent === undefined ? { role: session.role, id: session.subjectId } : { role: 'agent', ...session.agent };
    // appendMessage resolves after the group commit: the ack below is never sent for a write that could be lost.
    const { message, duplicate } = await ctx.services.storage.appendMessage({
        conversationId: frame.conversationId,
        clientId: frame.clientId,
        author,
        kind: 'text',
        text: frame.text,
        ...(attachments === undefined ? {} : { attachments }),
        ...(frame.quickReplies?.length ? { quickReplies: frame.quickReplies } : {}),
    });
    ctx.reply({
        type: 'message.ack',
        ref: frame.ref,
        conversationId: message.conversationId,
        clientId: message.clientId,
        seq: message.seq,
        at: message.at,
        ...(duplicate ? { duplicate: true } : {}),
    });
    // A duplicate was broadcast when first stored; a client that missed it gets it by replay.
    if (!duplicate)
        await ctx.publish(conversationTopic(frame.conversationId), { frame: { type: 'message.new', message } });
}

// `note.add` (agent): an internal note on a conversation of the agent's site. Stored apart from messages and sent
// only on the site's agents topic, which no visitor connection ever subscribes to.
async function handleNoteAdd(ctx, frame) {
    const session = requireRole(ctx, 'agent');
    const conversation = await loadConversation(ctx, frame.conversationId);
    const { note, duplicate } = await ctx.services.storage.addNote({
        conversationId: conversation.id,
        clientId: frame.clientId,
        author: { role: 'agent', ...session.agent },
        text: frame.text,
    });
    ctx.reply({ type: 'note.new', ref: frame.ref, note });
    // A retry was pushed when first stored; the console reloads notes with the conversation anyway.
    if (!duplicate)
        await ctx.publish(siteAgentsTopic(conversation.siteId), { frame: { type: 'note.new', note } });
}

// `ping` → `pong`: the client's half-open detection.
async function handlePing(ctx, frame) {
    ctx.reply({ type: 'pong', ref: frame.ref });
}

// Rating scales: which values are scales, and whether a score is on one. Pure; the handler and storage use it.
const RATING_SCALES = Object.keys(RATING_SCALE_RANGES);
/** Whether a value is a known rating scale (rows and admin input are boundaries: check them). */
function isRatingScale(value) {
    return typeof value === 'string' && RATING_SCALES.includes(value);
}
/** A stored scale, or `csat` (the default, and what rows written before scales existed mean). */
function toRatingScale(value) {
    return isRatingScale(value) ? value : 'csat';
}
/** Throws RATING_OUT_OF_SCALE unless `score` is an integer within `scale`'s range. */
function checkRatingScore(scale, score) {
    const [min, max] = RATING_SCALE_RANGES[scale];
    if (!Number.isInteger(score) || score < min || score > max) {
        throw new ParleyError('RATING_OUT_OF_SCALE', `this site rates on ${scale}: a score from ${min} to ${max}`, { details: { scale, min, max } });
    }
}

// `rating.submit` (visitor): one rating per conversation on its site's scale (csat, ces or nps); a repeat is answered
// with the stored one.
async function handleRatingSubmit(ctx, frame) {
    requireRole(ctx, 'visitor');
    const conversation = await loadConversation(ctx, frame.conversationId);
    const site = await ctx.services.storage.getSite(conversation.siteId);
    const scale = site?.ratingScale ?? 'csat';
    checkRatingScore(scale, frame.score);
    const { rating, created } = await ctx.services.storage.rate({
        conversationId: conversation.id,
        score: frame.score,
        scale,
        ...(frame.comment === undefined ? {} : { comment: frame.comment }),
    });
    const rated = { type: 'rating.created', conversationId: conversation.id, score: rating.score, scale: rating.scale };
    if (rating.comment !== undefined)
        rated.comment = rating.comment;
    ctx.reply({ ...rated, ref: frame.ref });
    if (created)
        await ctx.publish(conversationTopic(conversation.id), { frame: rated, exceptConnectionId: ctx.connectionId });
}

// `read`: persists the side's read marker (monotonic) and relays `read.update` to the other members. No reply.
async function handleRead(ctx, frame) {
    const session = requireSession(ctx);
    const conversation = await loadConversation(ctx, frame.conversationId);
    const upToSeq = await ctx.services.storage.markRead(conversation.id, session.role, frame.upToSeq);
    await ctx.publish(conversationTopic(conversation.id), {
        frame: { type: 'read.update', conversationId: conversation.id, role: session.role, upToSeq },
        exceptSubjectId: session.subjectId,
    });
}

// `typing`: relayed as `typing.update` to the other members; nothing is stored and nothing is replied.
async function handleTyping(ctx, frame) {
    const session = requireSession(ctx);
    const conversation = await loadConversation(ctx, frame.conversationId);
    const author = session.agent === undefined ? { role: session.role, id: session.subjectId } : { role: 'agent', ...session.agent };
    await ctx.publish(conversationTopic(conversation.id), {
        frame: { type: 'typing.update', conversationId: conversation.id, author, isTyping: frame.isTyping },
        exceptSubjectId: session.subjectId,
    });
}

// `visitor.page` (visitor): records the page the shopper is on, in the conversation's profile; replies `ok`.
async function handleVisitorPage(ctx, frame) {
    requireRole(ctx, 'visitor');
    const conversation = await loadConversation(ctx, frame.conversationId);
    await ctx.services.storage.recordPage(conversation.id, frame.url, frame.title);
    ctx.reply({ type: 'ok', ref: frame.ref });
}

// Frame type → handler. The mapped type makes a missing handler a compile error.
const HANDLERS = {
    hello: handleHello,
    ping: handlePing,
    'conversation.start': handleConversationStart,
    'conversation.join': handleConversationJoin,
    'message.send': handleMessageSend,
    'history.get': handleHistoryGet,
    typing: handleTyping,
    read: handleRead,
    'visitor.page': handleVisitorPage,
    'conversation.escalate': handleConversationEscalate,
    'conversation.accept': handleConversationAccept,
    'conversation.close': handleConversationClose,
    'rating.submit': handleRatingSubmit,
    'agent.availability': handleAgentAvailability,
    'conversation.transfer': handleConversationTransfer,
    'note.add': handleNoteAdd,
};
function dispatch(ctx, frame) {
    const identity = ctx.session?.identity;
    // A session proven by a JWT lasts only as long as the JWT: after it, every action is refused and the socket closes,
    // so the client reconnects with a fresh identity.
    if (identity !== undefined && frame.type !== 'ping' && isIdentityStale(identity, ctx.services.now())) {
        return Promise.reject(new ParleyError('AUTH_IDENTITY_INVALID', 'the identity token has expired; reconnect with a fresh one', {
            details: { reason: 'expired' },
            // The same frame succeeds once the client has reconnected with a fresh identity: clients keep it queued.
            retryable: true,
        }));
    }
    return HANDLERS[frame.type](ctx, frame);
}

// Token buckets for per-connection and per-visitor limits. Pure: the caller passes the clock; no timers inside.
/**
 * A token bucket. `take(nowMs)` spends one token and says whether one was there.
 * @example
 * const bucket = new TokenBucket({ perSecond: 10, burst: 30 }, Date.now());
 * if (!bucket.take(Date.now())) refuse('RATE_LIMITED');
 */
class TokenBucket {
    rate;
    tokens;
    lastMs;
    constructor(rate, nowMs) {
        this.rate = rate;
        if (!(rate.perSecond > 0) || !(rate.burst >= 1)) {
            throw new RangeError('TokenBucket needs perSecond > 0 and burst >= 1');
        }
        this.tokens = rate.burst;
        this.lastMs = nowMs;
    }
    refill(nowMs) {
        // A clock that steps backwards (NTP) must not mint tokens or go negative.
        const elapsedMs = Math.max(0, nowMs - this.lastMs);
        this.tokens = Math.min(this.rate.burst, this.tokens + (elapsedMs * this.rate.perSecond) / 1000);
        this.lastMs = Math.max(this.lastMs, nowMs);
    }
    /** Spends one token; false when the bucket is empty (nothing is spent then). */
    take(nowMs) {
        this.refill(nowMs);
        if (this.tokens < 1)
            return false;
        this.tokens -= 1;
        return true;
    }
    /** True when the bucket has refilled completely, so forgetting it changes nothing. */
    isFull(nowMs) {
        this.refill(nowMs);
        return this.tokens >= this.rate.burst;
    }
}
const DEFAULT_RATES = Object.freeze({
    frames: { perSecond: 50, burst: 100 },
    messages: { perSecond: 10, burst: 30 },
    conversationStarts: { perSecond: 5 / 60, burst: 5 },
    strikes: { perSecond: 2, burst: 20 },
    logins: { perSecond: 1 / 6, burst: 10 },
    // The per-IP limits are sized for a shared address (an office, a mobile carrier's NAT, a proxy): fifty shoppers
    // behind one IP opening the chat at once and each sending a burst still fit; one machine flooding does not.
    handshakes: { perSecond: 5, burst: 100 },
    subjectMessages: { perSecond: 10, burst: 30 },
    ipMessages: { perSecond: 100, burst: 300 },
    ipConversationStarts: { perSecond: 1, burst: 60 },
});
/**
 * One token bucket per key (a client IP, a visitor id), all with the same rate. Buckets that have refilled are
 * forgotten by `sweep()`, so memory follows the number of recently active keys.
 */
class KeyedBuckets {
    rate;
    buckets = new Map();
    constructor(rate) {
        this.rate = rate;
    }
    /** Spends one token of `key`'s bucket; false when it is empty. */
    take(key, nowMs) {
        let bucket = this.buckets.get(key);
        if (bucket === undefined)
            this.buckets.set(key, (bucket = new TokenBucket(this.rate, nowMs)));
        return bucket.take(nowMs);
    }
    /** Forgets every bucket that is full again. */
    sweep(nowMs) {
        for (const [key, bucket] of this.buckets)
            if (bucket.isFull(nowMs))
                this.buckets.delete(key);
    }
    get size() {
        return this.buckets.size;
    }
}

// One socket's loop: decode, rate-limit, count abuse, run handlers one at a time, send, close with the right code.
// Owns no business rules (handlers do) and no HTTP (server.ts does).
//
//   open ──hello ok──▶ authenticated ──close()/peer close──▶ closed
//     │  └─ no hello in helloTimeoutMs → close 4003
//     └─ auth/version error → close 4001/4002;  oversize → 1009;  abuse → 4008;  shutdown → 1001
/** Errors after which the connection is closed (README "closes?" column); the rest leave it open. */
const CLOSING_CODES = new Set([
    'PROTOCOL_FRAME_TOO_LARGE',
    'PROTOCOL_VERSION_UNSUPPORTED',
    'AUTH_INVALID_TOKEN',
    'AUTH_EXPIRED_TOKEN',
    'AUTH_ORIGIN_REFUSED',
    'AUTH_IDENTITY_REQUIRED',
    'AUTH_IDENTITY_INVALID',
    'SERVER_SHUTTING_DOWN',
]);
/** A peer that lets this much pile up unread is not reading; drop it rather than hold the memory (it resumes). */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/**
 * A published frame object reaches every member's connection: encode it once, not once per recipient. Frames are
 * never mutated after they are sent, and the weak map lets the bytes go with the frame.
 */
const encoded = new WeakMap();
function encodedOnce(frame) {
    let bytes = encoded.get(frame);
    if (bytes === undefined) {
        bytes = Buffer.from(encodeFrame(frame));
        encoded.set(frame, bytes);
    }
    return bytes;
}
class Connection {
    options;
    id = `k_${randomUUID()}`;
    session;
    subscriptions = new Map();
    frames;
    messages;
    strikes;
    helloTimer;
    /** Handlers run one at a time per connection, so a client's frames take effect in the order it sent them. */
    tail = Promise.resolve();
    isClosed = false;
    /** WebSocket pings sent without a pong since; the server heartbeat terminates the peer at 2. */
    missedPongs = 0;
    constructor(options) {
        this.options = options;
        const { ws, services, rates } = options;
        const now = services.now();
        this.frames = new TokenBucket(rates.frames, now);
        this.messages = new TokenBucket(rates.messages, now);
        this.strikes = new TokenBucket(rates.strikes, now);
        this.helloTimer = setTimeout(() => {
            this.helloTimer = undefined;
            if (this.session === undefined)
                this.close(CloseCode.HANDSHAKE_TIMEOUT, 'no hello in time');
        }, options.helloTimeoutMs);
        ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
        ws.on('pong', () => {
            this.missedPongs = 0;
        });
        ws.on('close', () => this.teardown());
        ws.on('error', (err) => {
            // ws emits protocol violations here (including maxPayload → 1009, which it closes itself); log and let close follow.
            services.logger.debug('socket.error', { connectionId: this.id, ...describeError(err) });
        });
    }
    get role() {
        return this.options.endpointRole;
    }
    /** Resolves when every frame received so far has been handled. */
    idle() {
        return this.tail;
    }
    send(frame) {
        const { ws } = this.options;
        if (this.isClosed || ws.readyState !== ws.OPEN)
            return;
        if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
            this.options.services.logger.warn('socket.slow_consumer', { connectionId: this.id });
            ws.terminate();
            return;
        }
        if (frame.type === 'error')
            this.options.services.countError?.(frame.code);
        ws.send(encodedOnce(frame), { binary: false });
    }
    close(code, reason) {
        if (this.isClosed)
            return;
        this.options.services.logger.debug('socket.close', { connectionId: this.id, code, reason });
        this.options.ws.close(code, reason);
        this.teardown();
    }
    /** Drops a peer that stopped answering pings; a clean close handshake would wait on it too. */
    terminate() {
        this.options.ws.terminate();
        this.teardown();
    }
    ping() {
        const { ws } = this.options;
        if (ws.readyState !== ws.OPEN)
            return;
        this.missedPongs++;
        ws.ping();
    }
    teardown() {
        if (this.isClosed)
            return;
        this.isClosed = true;
        if (this.helloTimer !== undefined)
            clearTimeout(this.helloTimer);
        this.options.services.presence.delete(this.id);
        for (const sub of this.subscriptions.values()) {
            sub.unsubscribe().catch((err) => this.options.services.logger.warn('fanout.unsubscribe_failed', describeError(err)));
        }
        this.subscriptions.clear();
        this.options.onClose(this);
    }
    sendError(error, ref, conversationId) {
        this.send({
            type: 'error',
            ...(ref === undefined ? {} : { ref }),
            code: error.code,
            message: error.message,
            ...(error.retryable ? { retryable: true } : {}),
            ...(conversationId === undefined ? {} : { conversationId }),
        });
    }
    /** Counts one refused frame; too many in a window closes the socket with 4008. */
    strike() {
        if (this.strikes.take(this.options.services.now()))
            return;
        this.options.services.logger.warn('socket.abuse', { connectionId: this.id, subjectId: this.session?.subjectId });
        this.close(CloseCode.ABUSE, 'too many invalid or refused frames');
    }
    onMessage(data, isBinary) {
        if (this.isClosed)
            return;
        this.missedPongs = 0;
        const { services } = this.options;
        const now = services.now();
        if (isBinary) {
            this.sendError(new ParleyError('PROTOCOL_BAD_FRAME', 'frames must be text'), undefined);
            this.strike();
            return;
        }
        const raw = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
        const decoded = decodeClientFrame(raw, services.limits);
        if (!decoded.ok) {
            this.sendError(decoded.error, decoded.ref);
            if (decoded.error.code === 'PROTOCOL_FRAME_TOO_LARGE')
                this.close(closeCodeFor('PROTOCOL_FRAME_TOO_LARGE'), 'frame too large');
            else
                this.strike();
            return;
        }
        const frame = decoded.frame;
        if (this.options.isShuttingDown()) {
            this.sendError(new ParleyError('SERVER_SHUTTING_DOWN', 'the server is restarting; reconnect', { retryable: true }), frame.ref);
            return;
        }
        // Notes are stored like messages, so they spend the same budget.
        const isWrite = frame.type === 'message.send' || frame.type === 'note.add';
        if (!this.frames.take(now) || (isWrite && !this.messages.take(now))) {
            this.sendError(new ParleyError('RATE_LIMITED', 'slow down', { retryable: true }), frame.ref);
            this.strike();
            return;
        }
        if (this.session === undefined && frame.type !== 'hello') {
            this.sendError(new ParleyError('PROTOCOL_NOT_AUTHENTICATED', 'send hello first'), frame.ref);
            this.strike();
            return;
        }
        const sharedRefusal = this.takeSharedLimits(frame, now);
        if (sharedRefusal !== undefined) {
            this.sendError(new ParleyError('RATE_LIMITED', sharedRefusal, { retryable: true }), frame.ref);
            this.strike();
            return;
        }
        this.tail = this.tail
            .then(() => this.run(frame))
            .catch((err) => services.logger.error('connection.loop_failed', { connectionId: this.id, ...describeError(err) }));
    }
    /** Opening more sockets, or more visitors on one address, must not multiply what one sender may do. */
    takeSharedLimits(frame, now) {
        const session = this.session;
        if (session === undefined)
            return undefined;
        const { sharedLimits, remoteAddress } = this.options;
        if (frame.type === 'message.send' || frame.type === 'note.add')
            return sharedLimits.takeMessage({ role: session.role, subjectId: session.subjectId, address: remoteAddress }, now);
        if (frame.type === 'conversation.start' && session.role === 'visitor')
            return sharedLimits.takeConversationStart(remoteAddress, now);
        return undefined;
    }
    async run(frame) {
        if (this.isClosed)
            return;
        try {
            await dispatch(this.context(), frame);
        }
        catch (err) {
            this.fail(err, frame);
        }
    }
    fail(err, frame) {
        const { logger } = this.options.services;
        if (!(err instanceof ParleyError)) {
            // A bug: log it in full, tell the client nothing about it.
            logger.error('handler.crash', { connectionId: this.id, frameType: frame.type, ...describeError(err) });
            this.sendError(new ParleyError('SERVER_INTERNAL', 'internal error'), frame.ref);
            return;
        }
        if (err.code === 'STORAGE_UNAVAILABLE') {
            logger.error('storage.unavailable', { connectionId: this.id, frameType: frame.type, ...describeError(err.cause) });
            this.sendError(new ParleyError('STORAGE_UNAVAILABLE', 'storage unavailable; nothing was stored', { retryable: true }), frame.ref);
            return;
        }
        logger.debug('frame.refused', { connectionId: this.id, frameType: frame.type, code: err.code });
        this.sendError(err, frame.ref);
        if (CLOSING_CODES.has(err.code))
            this.close(closeCodeFor(err.code), err.code);
    }
    context() {
        const self = this;
        const { services, endpointRole, origin } = this.options;
        return {
            connectionId: this.id,
            endpointRole,
            origin,
            services,
            get session() {
                return self.session;
            },
            async authenticate(session) {
                self.session = session;
                if (self.helloTimer !== undefined)
                    clearTimeout(self.helloTimer);
                self.helloTimer = undefined;
                if (session.role === 'visitor')
                    await this.subscribe(visitorTopic(session.subjectId));
                else {
                    await services.presence.connect(self.id, session.subjectId, session.siteId);
                    await this.subscribe(siteAgentsTopic(session.siteId));
                    await this.subscribe(agentTopic(session.subjectId));
                    if (session.credentialHash !== undefined)
                        await this.subscribe(credentialTopic(session.credentialHash));
                }
            },
            reply: (frame) => this.send(frame),
            subscribe: async (topic) => {
                if (this.subscriptions.has(topic) || this.isClosed)
                    return;
                const sub = await services.fanout.subscribe(topic, (message) => this.deliver(message));
                // The socket may have closed while subscribing: undo, or the subscription would leak.
                if (this.isClosed || this.subscriptions.has(topic))
                    await sub.unsubscribe();
                else
                    this.subscriptions.set(topic, sub);
            },
            publish: (topic, message) => services.fanout.publish(topic, message),
        };
    }
    deliver(message) {
        if (message.exceptConnectionId === this.id)
            return;
        if (message.exceptSubjectId !== undefined && message.exceptSubjectId === this.session?.subjectId)
            return;
        this.send(message.frame);
        // A closing error pushed to this connection's topic (an agent's revoked credentials) ends the session here.
        if (message.frame.type === 'error' && CLOSING_CODES.has(message.frame.code)) {
            this.close(closeCodeFor(message.frame.code), message.frame.code);
        }
    }
}

// The upgrade-time gate for /ws/*: per-IP handshake rate, no credentials in the URL, and which browser Origin may
// open which endpoint (visitors: an origin some site allows; agents: the console's own origin). Knows no frames.
/** Enough for a large office or a carrier NAT full of shoppers; far below what exhausts a node's file descriptors. */
const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 500;
/** Query parameters that look like credentials: tokens travel in `hello`, never in a URL (URLs end up in logs). */
const CREDENTIAL_PARAM = /token|secret|password|hmac|jwt|identity/i;
/** The client address rate limits are keyed by. `X-Forwarded-For` is not trusted (anyone can send it). */
function clientAddress(req) {
    return req.socket.remoteAddress ?? 'unknown';
}
/**
 * The bucket key for an address: IPv4 as is (also when IPv4-mapped, `::ffff:1.2.3.4`), IPv6 by its /64, because one
 * subscriber usually gets a whole /64 and could otherwise take a fresh address, and a fresh bucket, per request.
 */
function rateKeyFor(address) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped !== null)
        return mapped[1];
    if (isIP(address) !== 6)
        return address;
    const [head = '', tail = ''] = address.split('%')[0].split('::');
    const left = head === '' ? [] : head.split(':');
    const right = tail === '' ? [] : tail.split(':');
    const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
    return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}
/** Refusal bodies name the code so a developer looking at the failed upgrade in devtools knows what to fix. */
function refuse(status, code, why, headers) {
    return { status, code, text: `${code}: ${why}`, ...(headers === undefined ? {} : { headers }) };
}
/**
 * Builds the gate.
 * @example
 * const gate = createHandshakeGate({ storage, allowedOrigins: '*', consoleOrigins: [], handshakes: DEFAULT_RATES.handshakes });
 * const refusal = await gate.check(req, 'visitor', Date.now());
 */
function createHandshakeGate(options) {
    const { storage, allowedOrigins, consoleOrigins } = options;
    const siteCacheMs = options.siteCacheMs ?? 5000;
    const perIp = new KeyedBuckets(options.handshakes);
    const exempt = new Set(options.exemptAddresses ?? []);
    const maxOpen = options.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
    const open = new Map();
    let siteOrigins;
    // One reload at a time: a burst of upgrades after the cache expires shares a single query.
    let reloading;
    async function isSiteOrigin(origin, nowMs) {
        let current = siteOrigins;
        if (current === undefined || nowMs - current.at >= siteCacheMs) {
            reloading ??= storage
                .listSites()
                .then((sites) => {
                const origins = new Set(sites.flatMap((site) => site.allowedOrigins));
                return (siteOrigins = { at: nowMs, any: origins.has('*'), origins });
            })
                .finally(() => (reloading = undefined));
            current = await reloading;
        }
        return current.any || current.origins.has(origin);
    }
    /** The console served by this server shares its host: the browser's Origin names the Host it connected to. */
    function isSameHost(origin, req) {
        try {
            return new URL(origin).host === req.headers.host?.toLowerCase();
        }
        catch {
            return false;
        }
    }
    return {
        async check(req, role, nowMs) {
            const address = clientAddress(req);
            if (!exempt.has(address) && !perIp.take(rateKeyFor(address), nowMs)) {
                return refuse(429, 'RATE_LIMITED', 'too many connections from this address; retry shortly', { 'Retry-After': '5' });
            }
            if (!exempt.has(address) && (open.get(rateKeyFor(address)) ?? 0) >= maxOpen) {
                return refuse(429, 'RATE_LIMITED', 'too many open connections from this address', { 'Retry-After': '30' });
            }
            const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
            for (const name of query.keys()) {
                if (CREDENTIAL_PARAM.test(name))
                    return refuse(400, 'PROTOCOL_BAD_FRAME', 'credentials go in the hello frame, never in the URL');
            }
            const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
            // Without an Origin header the client is not a browser (Node, mobile apps), so no web page is driving it.
            if (origin === undefined)
                return undefined;
            if (role === 'agent') {
                if (consoleOrigins.includes(origin) || isSameHost(origin, req))
                    return undefined;
                return refuse(403, 'AUTH_ORIGIN_REFUSED', `the agent endpoint accepts only the console's origin, not ${origin}`);
            }
            if (allowedOrigins !== '*' && !allowedOrigins.includes(origin))
                return refuse(403, 'AUTH_ORIGIN_REFUSED', `origin ${origin} is not allowed`);
            if (await isSiteOrigin(origin, nowMs))
                return undefined;
            return refuse(403, 'AUTH_ORIGIN_REFUSED', `origin ${origin} is not allowed by any site`);
        },
        sweep(nowMs) {
            perIp.sweep(nowMs);
        },
        opened(address) {
            const key = rateKeyFor(address);
            open.set(key, (open.get(key) ?? 0) + 1);
        },
        closed(address) {
            const key = rateKeyFor(address);
            const count = (open.get(key) ?? 0) - 1;
            if (count > 0)
                open.set(key, count);
            else
                open.delete(key);
        },
    };
}

// Rate limits shared by many connections: per subject (a visitor's or agent's sockets together) and per client IP
// (every visitor behind one address). Pure: the caller passes the clock; connection.ts applies them.
/**
 * @example
 * const shared = createSharedLimits(DEFAULT_RATES);
 * const refusal = shared.takeMessage({ role: 'visitor', subjectId, address }, Date.now());
 */
function createSharedLimits(rates, exemptAddresses = []) {
    const exempt = new Set(exemptAddresses);
    const perSubject = new KeyedBuckets(rates.subjectMessages);
    const ipMessages = new KeyedBuckets(rates.ipMessages);
    const ipStarts = new KeyedBuckets(rates.ipConversationStarts);
    return {
        takeMessage(sender, nowMs) {
            if (!perSubject.take(`${sender.role}:${sender.subjectId}`, nowMs))
                return 'too many messages from you across your open tabs; slow down';
            // Agents sit behind their company's one address by design, and their accounts are made by an admin.
            if (sender.role === 'visitor' && !exempt.has(sender.address) && !ipMessages.take(rateKeyFor(sender.address), nowMs))
                return 'too many messages from your network; slow down';
            return undefined;
        },
        takeConversationStart(address, nowMs) {
            return exempt.has(address) || ipStarts.take(rateKeyFor(address), nowMs) ? undefined : 'too many new conversations from your network; try again shortly';
        },
        sweep(nowMs) {
            perSubject.sweep(nowMs);
            ipMessages.sweep(nowMs);
            ipStarts.sweep(nowMs);
        },
    };
}

// In-process Fanout for a single node: synchronous delivery in publish order. Must not hold frames or retry.
/**
 * A Fanout for one process. A listener that throws is reported through `onListenerError` and does not stop
 * delivery to the others.
 */
function createMemoryFanout(options = {}) {
    const topics = new Map();
    let isClosed = false;
    return {
        async publish(topic, message) {
            const listeners = topics.get(topic);
            if (listeners === undefined || isClosed)
                return;
            // Copy: a listener may unsubscribe (or subscribe others) while we iterate.
            for (const listener of [...listeners]) {
                try {
                    listener(message);
                }
                catch (err) {
                    if (options.onListenerError === undefined)
                        throw err;
                    options.onListenerError(err, topic);
                }
            }
        },
        async subscribe(topic, listener) {
            let listeners = topics.get(topic);
            if (listeners === undefined)
                topics.set(topic, (listeners = new Set()));
            // Wrap so the same function subscribed twice gets two independent subscriptions.
            const entry = (m) => listener(m);
            listeners.add(entry);
            return {
                async unsubscribe() {
                    const set = topics.get(topic);
                    if (set === undefined)
                        return;
                    set.delete(entry);
                    if (set.size === 0)
                        topics.delete(topic);
                },
            };
        },
        async close() {
            isClosed = true;
            topics.clear();
        },
    };
}

// Which agent connections are up, as leases in storage so every node sees them: put on hello, renewed by this
// node's sweep, removed on close. A node killed with -9 stops renewing and its leases lapse on their own.
// Writes are queued in order (a close never overtakes its own hello) and never throw: failures are logged.
class AgentPresence {
    deps;
    /** This node's agent connections: connectionId → agent and site. */
    local = new Map();
    tail = Promise.resolve();
    constructor(deps) {
        this.deps = deps;
    }
    /** Records a new agent connection as `online`; resolves once stored. */
    connect(connectionId, agentId, siteId) {
        this.local.set(connectionId, { agentId, siteId });
        const { storage, nodeId, now } = this.deps;
        return this.enqueue('presence.put_failed', () => storage.putAgentPresence({ connectionId, agentId, siteId, nodeId, availability: 'online', at: now() }));
    }
    /** Forgets a connection (socket closed); a no-op for visitor connections. */
    delete(connectionId) {
        if (!this.local.delete(connectionId))
            return;
        void this.enqueue('presence.remove_failed', () => this.deps.storage.removeAgentPresence(connectionId, this.deps.now()));
    }
    /** Renews this node's leases as of `at` (the sweep calls it well within the lease). */
    renew(at) {
        if (this.local.size === 0)
            return Promise.resolve();
        return this.enqueue('presence.renew_failed', () => this.deps.storage.renewNodePresence(this.deps.nodeId, at));
    }
    /** Sites with an agent connected to this node. */
    localSites() {
        return new Set([...this.local.values()].map((e) => e.siteId));
    }
    /** Resolves when every write queued so far has finished. */
    settled() {
        return this.tail;
    }
    enqueue(event, write) {
        this.tail = this.tail.then(write).catch((err) => this.deps.logger.error(event, describeError(err)));
        return this.tail;
    }
}

// Who gets the next queued conversation: online agents under capacity, least loaded first, then longest idle.
// Pure; the router reads the loads and storage makes the assignment atomic.
/** Agents that may take one more conversation now, best first. */
function rankAgents(loads) {
    return loads
        .filter((l) => l.availability === 'online' && l.activeCount < l.capacity)
        .sort((a, b) => a.activeCount - b.activeCount || a.idleSinceMs - b.idleSinceMs || (a.agent.id < b.agent.id ? -1 : a.agent.id > b.agent.id ? 1 : 0));
}

// Routing on one node: automatic assignment (when enabled), requeueing the chats of agents who stayed away past
// the grace period, and the periodic sweep that renews this node's presence leases. Every decision that must hold
// across nodes is a conditional write in storage; this module only decides what to try and announces the outcome.
//
//   bot ──escalate──▶ queued ──accept / auto──▶ assigned ──close──▶ closed
//    │ (nobody online)  ▲                          │
//    └──▶ offline       └──transfer to queue, agent gone past grace──┘   (transfer to an agent stays assigned)
const DEFAULT_AGENT_GRACE_MS = 30_000;
/** Bounds one drain: a queue longer than this is finished by the next trigger or sweep. */
const MAX_ASSIGNMENTS_PER_DRAIN = 500;
class Router {
    services;
    assignment;
    agentGraceMs;
    /** Sweep period: leases are renewed three times per lease, so one late sweep does not drop an agent. */
    sweepMs;
    /** A lease not renewed for this long is dead. */
    leaseMs;
    timer;
    sweeping;
    /** Per site, so one node never runs two drains of a site at once (they would only race each other). */
    siteChains = new Map();
    constructor(services, options = {}) {
        this.services = services;
        this.assignment = options.assignment ?? 'manual';
        this.agentGraceMs = options.agentGraceMs ?? DEFAULT_AGENT_GRACE_MS;
        if (!(this.agentGraceMs >= 100))
            throw new RangeError('agentGraceMs must be at least 100');
        this.sweepMs = Math.min(10_000, Math.max(50, Math.round(this.agentGraceMs / 3)));
        this.leaseMs = this.sweepMs * 3;
    }
    /** Leases renewed at or after this are live. */
    liveSince() {
        return this.services.now() - this.leaseMs;
    }
    /** True when some agent of the site is connected and `online`. */
    async isStaffed(siteId) {
        const loads = await this.services.storage.listAgentLoads(siteId, this.liveSince());
        return loads.some((l) => l.availability === 'online');
    }
    /** The queue of a site changed (or an agent freed up): assign what can be assigned, then tell everyone. */
    queueChanged(siteId) {
        return this.serial(siteId, async () => {
            await this.drain(siteId);
            await broadcastQueue(this.services, siteId);
        });
    }
    /** An agent connection finished its hello: in auto mode, waiting conversations may go to them at once. */
    async agentArrived(siteId) {
        if (this.assignment === 'auto')
            await this.queueChanged(siteId);
    }
    /** Starts the periodic sweep. */
    start() {
        if (this.timer !== undefined)
            return;
        this.timer = setInterval(() => {
            this.sweeping ??= this.sweep()
                .catch((err) => this.services.logger.error('routing.sweep_failed', describeError(err)))
                .finally(() => (this.sweeping = undefined));
        }, this.sweepMs);
        this.timer.unref();
    }
    /** Stops the sweep and waits for a running one and any queued site work. */
    async stop() {
        clearInterval(this.timer);
        this.timer = undefined;
        await this.sweeping;
        await Promise.all([...this.siteChains.values()]);
    }
    /** Renews leases, requeues abandoned chats, and (auto) drains sites that have agents here. */
    async sweep() {
        const { storage, presence, now } = this.services;
        // One instant for both steps: our own leases must never look older than the cut-off they are judged by.
        const at = now();
        await presence.renew(at);
        const moved = await storage.requeueAbandoned({ liveSinceMs: at - this.leaseMs, goneBeforeMs: at - this.agentGraceMs });
        // Leases of dead nodes: folded into the agents' last-seen time, which is all the requeue rule still needs.
        await storage.purgeLapsedPresence(at - Math.max(this.leaseMs, this.agentGraceMs) * 4);
        const sites = new Set();
        for (const item of moved) {
            sites.add(item.siteId);
            this.services.logger.info('routing.requeued', { conversationId: item.transition.conversation?.id, agentId: item.agent.id });
            await this.announceLeft(item.transition, item.agent);
        }
        for (const siteId of sites)
            await this.queueChanged(siteId);
        if (this.assignment === 'auto') {
            // Capacity may have been freed on another node (a close there), which this node's triggers never saw.
            for (const siteId of presence.localSites())
                if (!sites.has(siteId))
                    await this.serial(siteId, () => this.drainAndBroadcastIfAssigned(siteId));
        }
    }
    /** Tells the visitor and the site's agents that a conversation lost its agent (transfer or requeue). */
    async announceLeft(transition, agent) {
        const conversation = transition.conversation;
        if (conversation === undefined)
            return;
        const { fanout } = this.services;
        if (transition.event !== undefined) {
            await fanout.publish(conversationTopic(conversation.id), { frame: { type: 'message.new', message: transition.event } });
        }
        await fanout.publish(visitorTopic(conversation.visitorId), { frame: { type: 'agent.left', conversationId: conversation.id, agent } });
    }
    /** Tells the visitor, the conversation and the site's agents who has the conversation now. */
    async announceAssigned(transition, agent, options = {}) {
        const conversation = transition.conversation;
        if (conversation === undefined)
            return;
        const { fanout } = this.services;
        await fanout.publish(siteAgentsTopic(conversation.siteId), { frame: { type: 'conversation.assigned', conversationId: conversation.id, agent } });
        await fanout.publish(visitorTopic(conversation.visitorId), { frame: { type: 'agent.joined', conversationId: conversation.id, agent } });
        if (transition.event !== undefined && options.skipEvent !== true) {
            await fanout.publish(conversationTopic(conversation.id), { frame: { type: 'message.new', message: transition.event } });
        }
    }
    async drainAndBroadcastIfAssigned(siteId) {
        if ((await this.drain(siteId)) > 0)
            await broadcastQueue(this.services, siteId);
    }
    /** Auto mode: hands queued conversations to the best agent, one at a time, until nobody can take more. */
    async drain(siteId) {
        if (this.assignment !== 'auto')
            return 0;
        const { storage } = this.services;
        let assigned = 0;
        for (let attempt = 0; attempt < MAX_ASSIGNMENTS_PER_DRAIN; attempt++) {
            const best = rankAgents(await storage.listAgentLoads(siteId, this.liveSince()))[0];
            if (best === undefined)
                break;
            const result = await storage.assignNext(siteId, best.agent);
            if (result.kind === 'empty')
                break;
            // 'full': another node filled this agent meanwhile; the next ranking sees it.
            if (result.kind === 'full')
                continue;
            assigned++;
            this.services.logger.info('routing.assigned', { conversationId: result.transition.conversation?.id, agentId: best.agent.id });
            await this.announceAssigned(result.transition, best.agent);
        }
        return assigned;
    }
    serial(siteId, work) {
        const previous = this.siteChains.get(siteId) ?? Promise.resolve();
        const next = previous.then(work, work);
        const settled = next.catch(() => {
            // Reported to the caller through `next`; the chain itself must keep going.
        });
        this.siteChains.set(siteId, settled);
        void settled.then(() => {
            if (this.siteChains.get(siteId) === settled)
                this.siteChains.delete(siteId);
        });
        return next;
    }
}

// Codes of the event messages the server writes (joined, left, requeued, transferred, closed). The code rides in
// the clientId the server picks for its own events (`evt_<code>_<uuid>`), so both storages keep it without a new
// column or a migration; rows written before codes existed (`evt_<uuid>`) simply have none.
const CODES = new Set(['joined', 'left', 'requeued', 'transferred', 'closed']);
function eventClientId(code) {
    return `evt_${code}_${randomUUID()}`;
}
/** The code of a stored message; only `event` messages have one (people's messages are `text`, whatever their clientId). */
function eventCodeOf(kind, clientId) {
    if (kind !== 'event')
        return undefined;
    const code = /^evt_([a-z]+)_/.exec(clientId)?.[1];
    return code !== undefined && CODES.has(code) ? code : undefined;
}
/** Sets `message.event` from its stored kind and clientId. */
function withEventCode(message) {
    const code = eventCodeOf(message.kind, message.clientId);
    if (code !== undefined)
        message.event = code;
    return message;
}

// Moves SQLite's WAL checkpoints off the event loop: a worker thread with its own connection runs PASSIVE checkpoints,
// so the serving connection (wal_autocheckpoint = 0) never copies pages or fsyncs the database file while sockets wait.
// Must not write rows: it only checkpoints.
//
// Why that keeps durability: a checkpoint only copies frames already committed into the database file, and SQLite
// fsyncs the WAL before copying and the database after (synchronous = FULL on this connection). The serving
// connection starts the WAL over only once a checkpoint has copied every frame, so no acked message lives only in
// frames that get overwritten.
//
// Why the quiet window: a PASSIVE checkpoint never blocks the writer, but under a steady load the writer appends
// while it copies, it never catches up, and the WAL would grow without end (SQLite restarts the WAL only when a
// checkpoint has copied all of it). RESTART would catch up by making the writer wait on a lock, i.e. block the event
// loop. Instead, once the WAL passes `quietAfterPages`, the worker asks the owner to hold its group commits for one
// short PASSIVE pass (the frames written since the last pass plus one fsync): appends wait in memory, the event loop
// keeps running, and the next commit starts the WAL over.
/**
 * The worker's source. Evaluated, not loaded from a file, so the same code runs from src (tests) and dist (the bin);
 * it reaches the driver through the resolved path the parent passes in.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.path);
db.pragma('synchronous = FULL');
// A checkpoint reads and writes the files directly; a page cache would only hold memory.
db.pragma('cache_size = -64');
let timer;
let isStopped = false;
let isWaitingForQuiet = false;
function report(err) {
  parentPort.postMessage({ type: 'error', message: String((err && err.message) || err) });
}
function schedule(delayMs) {
  if (!isStopped) timer = setTimeout(pass, delayMs);
}
function pass() {
  timer = undefined;
  if (isStopped) return;
  let row;
  try {
    [row] = db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    report(err);
    return schedule(workerData.idleIntervalMs);
  }
  // "log" is the WAL's length when this pass began: the writer may have appended since, so even a pass that copied
  // all of it leaves the WAL growing. Only a pass while the writer waits lets it start over.
  if (row.log > workerData.quietAfterPages) {
    isWaitingForQuiet = true;
    parentPort.postMessage({ type: 'quiet-request' });
    return;
  }
  schedule(row.log > row.checkpointed ? 5 : workerData.idleIntervalMs);
}
parentPort.on('message', (message) => {
  if (message === 'quiet' && isWaitingForQuiet) {
    isWaitingForQuiet = false;
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch (err) {
      report(err);
    }
    parentPort.postMessage({ type: 'quiet-end' });
    schedule(workerData.idleIntervalMs);
  } else if (message === 'stop') {
    isStopped = true;
    if (timer !== undefined) clearTimeout(timer);
    db.close();
    parentPort.close();
  }
});
schedule(workerData.idleIntervalMs);
`;
/** A worker stuck in a quiet window (a disk that hangs) must not hold writes for longer than this. */
const MAX_QUIET_MS = 200;
function startWalCheckpointer(options) {
    const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { path: options.path, driverPath, idleIntervalMs: options.idleIntervalMs ?? 50, quietAfterPages: options.quietAfterPages ?? 4096 },
    });
    // A server that forgets to close its storage must still be able to exit.
    worker.unref();
    let isClosing = false;
    let hasFailed = false;
    let quietTimer;
    const endQuiet = () => {
        if (quietTimer === undefined)
            return;
        clearTimeout(quietTimer);
        quietTimer = undefined;
        options.onQuietEnd();
    };
    const exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (report) => {
        if (report.type === 'error')
            options.onError(new Error(`WAL checkpoint failed: ${report.message}`));
        else if (report.type === 'quiet-end')
            endQuiet();
        else {
            // Answered even while closing: the worker waits for it before its next pass.
            options.onQuietRequest(() => {
                quietTimer = setTimeout(endQuiet, MAX_QUIET_MS);
                worker.postMessage('quiet');
            });
        }
    });
    worker.on('error', (err) => {
        hasFailed = true;
        options.onError(err);
    });
    worker.once('exit', (code) => {
        endQuiet();
        if (!isClosing && !hasFailed)
            options.onError(new Error(`WAL checkpoint worker exited (code ${code})`));
    });
    return {
        async close() {
            if (isClosing)
                return exited;
            isClosing = true;
            endQuiet();
            worker.postMessage('stop');
            await exited;
        },
    };
}

// Makes SQLite group commits durable off the event loop: the commit is written to the WAL without an fsync
// (synchronous=NORMAL for that transaction only) and this module fdatasyncs the WAL file on libuv's thread pool.
// Commits that land while one sync is in flight share the next one, so under load one fsync covers many batches
// and the event loop keeps reading sockets instead of waiting on the disk.
//
// Why that is as durable as synchronous=FULL: a WAL commit is a set of frames ending in a commit frame; once those
// bytes are on disk, recovery replays them. fdatasync on any descriptor of the file flushes all of its written
// pages, so after it returns every commit written before the call survives power loss. SQLite itself syncs the
// WAL before every checkpoint in NORMAL mode, so a WAL reset never drops frames that were not yet in the database.
function createWalSync(walPath) {
    let fd;
    let inFlight = false;
    /** Callbacks the running fdatasync covers; emptied in place by syncNow so they run once. */
    let covered = [];
    /** Callbacks whose commits were written after the running sync started: they need the next one. */
    let waiting = [];
    let closed = false;
    function descriptor() {
        if (fd === undefined) {
            // Opened on first use: the WAL file exists once a commit has been written to it.
            fd = openSync(walPath, 'r');
            // The WAL may have just been created; make its directory entry durable once, as SQLite does for FULL.
            const dir = openSync(dirname(walPath), 'r');
            try {
                fsyncSync(dir);
            }
            finally {
                closeSync(dir);
            }
        }
        return fd;
    }
    function settle(callbacks, err) {
        for (const done of callbacks)
            done(err);
    }
    function start() {
        let target;
        try {
            target = descriptor();
        }
        catch (err) {
            settle(waiting.splice(0), err);
            return;
        }
        inFlight = true;
        const batch = (covered = waiting);
        waiting = [];
        fdatasync(target, (err) => {
            inFlight = false;
            settle(batch.splice(0), err ?? undefined);
            if (waiting.length > 0 && !closed)
                start();
        });
    }
    return {
        afterCommit(done) {
            waiting.push(done);
            if (!inFlight)
                start();
        },
        syncNow() {
            if (covered.length === 0 && waiting.length === 0)
                return;
            const all = covered.splice(0).concat(waiting.splice(0));
            try {
                fdatasyncSync(descriptor());
            }
            catch (err) {
                settle(all, err);
                return;
            }
            settle(all);
        },
        close() {
            closed = true;
            if (fd !== undefined)
                closeSync(fd);
            fd = undefined;
        },
    };
}

// SQLite adapter of Storage (better-sqlite3, WAL, synchronous=FULL) with group commit for message inserts and WAL
// checkpoints on a worker thread (wal-checkpointer.ts).
// Owns the schema and its migrations; must not know about sockets or frames.
/** Each entry moves the schema one version forward. Append only: never edit a shipped migration. */
const MIGRATIONS$1 = [
    `
  CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    allowed_origins TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE visitors (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    created_at INTEGER NOT NULL
  );
  CREATE TABLE agents (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    avatar_url TEXT,
    token_hash TEXT NOT NULL UNIQUE,
    availability TEXT NOT NULL DEFAULT 'offline',
    created_at INTEGER NOT NULL
  );
  CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    visitor_id TEXT NOT NULL REFERENCES visitors(id),
    start_client_id TEXT NOT NULL,
    status TEXT NOT NULL,
    last_seq INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    profile TEXT NOT NULL DEFAULT '{}',
    agent_id TEXT REFERENCES agents(id),
    escalation_reason TEXT,
    transcript TEXT,
    queued_at INTEGER,
    visitor_read_seq INTEGER NOT NULL DEFAULT 0,
    agent_read_seq INTEGER NOT NULL DEFAULT 0,
    closed_at INTEGER,
    closed_by TEXT,
    close_reason TEXT,
    UNIQUE (visitor_id, start_client_id)
  );
  CREATE INDEX conversations_queue ON conversations (site_id, status, queued_at);
  CREATE TABLE messages (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    seq INTEGER NOT NULL,
    client_id TEXT NOT NULL,
    author_role TEXT NOT NULL,
    author_id TEXT NOT NULL,
    author_name TEXT,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    attachments TEXT,
    at INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, seq)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX messages_client_id ON messages (conversation_id, client_id);
  CREATE TABLE ratings (
    conversation_id TEXT PRIMARY KEY REFERENCES conversations(id),
    score INTEGER NOT NULL,
    comment TEXT,
    at INTEGER NOT NULL
  );
  INSERT INTO sites (id, key, allowed_origins, created_at) VALUES ('site_demo', 'demo', '["*"]', 0);
  `,
    // 2: console logins (e-mail, scrypt hash, role, sessions), pages visited, history search.
    `
  ALTER TABLE agents ADD COLUMN email TEXT;
  ALTER TABLE agents ADD COLUMN password_hash TEXT;
  ALTER TABLE agents ADD COLUMN role TEXT NOT NULL DEFAULT 'agent';
  CREATE UNIQUE INDEX agents_email ON agents (email) WHERE email IS NOT NULL;
  CREATE TABLE agent_sessions (
    token_hash TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL REFERENCES agents(id),
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX agent_sessions_expiry ON agent_sessions (expires_at);
  CREATE TABLE conversation_pages (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    url TEXT NOT NULL,
    title TEXT,
    at INTEGER NOT NULL
  );
  CREATE INDEX conversation_pages_by_conversation ON conversation_pages (conversation_id, at);
  CREATE INDEX conversations_history ON conversations (site_id, created_at);
  CREATE INDEX ratings_at ON ratings (at);
  `,
    // 3: per-site shopper identity verification (secret, required flag) and visitors bound to the site's user id.
    `
  ALTER TABLE sites ADD COLUMN identity_secret TEXT;
  ALTER TABLE sites ADD COLUMN requires_identity INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE visitors ADD COLUMN external_id TEXT;
  CREATE UNIQUE INDEX visitors_external_id ON visitors (site_id, external_id) WHERE external_id IS NOT NULL;
  `,
    // 4: routing: agent capacity, presence leases per connection, assignment times (least loaded, longest idle, waits).
    `
  ALTER TABLE agents ADD COLUMN capacity INTEGER NOT NULL DEFAULT 3;
  ALTER TABLE agents ADD COLUMN last_assigned_at INTEGER;
  ALTER TABLE agents ADD COLUMN last_seen_at INTEGER;
  ALTER TABLE conversations ADD COLUMN assigned_at INTEGER;
  CREATE INDEX conversations_by_agent ON conversations (agent_id, status);
  CREATE TABLE agent_presence (
    connection_id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL,
    site_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    availability TEXT NOT NULL,
    connected_at INTEGER NOT NULL,
    seen_at INTEGER NOT NULL
  );
  CREATE INDEX agent_presence_by_agent ON agent_presence (agent_id, seen_at);
  CREATE INDEX agent_presence_by_site ON agent_presence (site_id, seen_at);
  CREATE INDEX agent_presence_by_node ON agent_presence (node_id);
  `,
    // 5: per-site business hours and widget theme (JSON), and the site's FAQ source.
    `
  ALTER TABLE sites ADD COLUMN business_hours TEXT;
  ALTER TABLE sites ADD COLUMN theme TEXT;
  CREATE TABLE site_faqs (
    site_id TEXT PRIMARY KEY REFERENCES sites(id),
    source TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
    // 6: internal notes (agents only), outside the message seq; erased with their conversation.
    `
  CREATE TABLE notes (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    author_id TEXT NOT NULL,
    author_name TEXT,
    text TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, client_id)
  );
  CREATE INDEX notes_by_conversation ON notes (conversation_id, at);
  `,
    // 7: quick replies an agent offers with a message (JSON list of strings).
    `
  ALTER TABLE messages ADD COLUMN quick_replies TEXT;
  `,
    // 8: the site's rating scale (NULL: csat), and the scale each rating was given on.
    `
  ALTER TABLE sites ADD COLUMN rating_scale TEXT;
  ALTER TABLE ratings ADD COLUMN scale TEXT NOT NULL DEFAULT 'csat';
  `,
];
const SQLITE_SCHEMA_VERSION = MIGRATIONS$1.length;
const STATUSES$2 = ['bot', 'queued', 'assigned', 'closed', 'offline'];
const AGENT_COLUMNS$1 = 'a.id, a.site_id, a.name, a.avatar_url, a.availability, a.role, a.email';
function toAgent$1(row) {
    const agent = {
        id: row.id,
        siteId: row.site_id,
        name: row.name,
        availability: row.availability,
        role: row.role === 'admin' ? 'admin' : 'agent',
    };
    if (row.avatar_url !== null)
        agent.avatarUrl = row.avatar_url;
    if (row.email !== null)
        agent.email = row.email;
    return agent;
}
/** `%`, `_` and the escape character itself are literal in a search term. */
function likePattern$1(term) {
    return `%${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
const SITE_COLUMNS$1 = 'id, key, allowed_origins, identity_secret, requires_identity, business_hours, theme, rating_scale';
function toVisitor$1(row) {
    const visitor = { id: row.id, siteId: row.site_id, createdAt: row.created_at };
    if (row.external_id !== null)
        visitor.externalId = row.external_id;
    return visitor;
}
function unavailable$2(cause) {
    return new ParleyError('STORAGE_UNAVAILABLE', 'the database is unavailable', { cause, retryable: true });
}
/** Rows are a boundary too: a corrupt JSON column becomes STORAGE_UNAVAILABLE, not a crash deep in a handler. */
function parseJson(text, fallback) {
    if (text === null)
        return fallback;
    try {
        return JSON.parse(text);
    }
    catch (err) {
        throw unavailable$2(err);
    }
}
function toConversation$1(row) {
    if (!STATUSES$2.includes(row.status))
        throw unavailable$2(new Error(`bad status ${row.status}`));
    const conversation = {
        id: row.id,
        siteId: row.site_id,
        visitorId: row.visitor_id,
        status: row.status,
        lastSeq: row.last_seq,
        createdAt: row.created_at,
        profile: parseJson(row.profile, {}),
        visitorReadSeq: row.visitor_read_seq,
        agentReadSeq: row.agent_read_seq,
    };
    if (row.agent_id !== null) {
        conversation.agent = { id: row.agent_id, name: row.agent_name ?? '' };
        if (row.agent_avatar_url !== null)
            conversation.agent.avatarUrl = row.agent_avatar_url;
    }
    if (row.escalation_reason !== null)
        conversation.escalationReason = row.escalation_reason;
    if (row.queued_at !== null)
        conversation.queuedAt = row.queued_at;
    return conversation;
}
function toNote$1(row) {
    const author = { role: 'agent', id: row.author_id };
    if (row.author_name !== null)
        author.name = row.author_name;
    return { conversationId: row.conversation_id, clientId: row.client_id, author, text: row.text, at: row.at };
}
function toMessage$1(row) {
    const message = {
        conversationId: row.conversation_id,
        seq: row.seq,
        clientId: row.client_id,
        author: { role: row.author_role, id: row.author_id },
        kind: row.kind,
        text: row.text,
        at: row.at,
    };
    if (row.author_name !== null)
        message.author.name = row.author_name;
    const attachments = parseJson(row.attachments, null);
    if (attachments !== null)
        message.attachments = attachments;
    const quickReplies = parseJson(row.quick_replies, null);
    if (quickReplies !== null)
        message.quickReplies = quickReplies;
    return withEventCode(message);
}
const CONVERSATION_SELECT$1 = `
  SELECT c.id, c.site_id, c.visitor_id, c.status, c.last_seq, c.created_at, c.profile, c.agent_id,
         a.name AS agent_name, a.avatar_url AS agent_avatar_url, c.escalation_reason, c.queued_at,
         c.visitor_read_seq, c.agent_read_seq
  FROM conversations c LEFT JOIN agents a ON a.id = c.agent_id`;
/**
 * Opens (creating if needed) a SQLite database and migrates it. Synchronous, so a server can be built in one call.
 * @example
 * const storage = createSqliteStorage({ path: './.parley-data/parley.db' });
 */
function createSqliteStorage(options) {
    const now = options.now ?? Date.now;
    let db;
    try {
        if (options.path !== ':memory:')
            mkdirSync(dirname(options.path), { recursive: true });
        db = new Database(options.path);
        db.pragma('journal_mode = WAL');
        // FULL: a commit is fsynced before it returns, which is what "ack only after the write is durable" needs.
        db.pragma('synchronous = FULL');
        db.pragma('foreign_keys = ON');
        db.pragma('busy_timeout = 5000');
        migrate$1(db);
    }
    catch (err) {
        throw err instanceof ParleyError ? err : unavailable$2(err);
    }
    // Message batches are fsynced off the event loop (wal-sync.ts); every other write stays synchronous=FULL.
    // An in-memory database has no WAL file and keeps the plain path.
    const walSync = db.pragma('journal_mode', { simple: true }) === 'wal' ? createWalSync(`${resolve(options.path)}-wal`) : undefined;
    const deferSync = db.prepare('PRAGMA synchronous = NORMAL');
    // SQLite's automatic checkpoint would run inside a commit on the event loop (page copies plus two fsyncs: tens of
    // ms under load); a worker thread does it instead. Should the worker fail, this connection takes the job back.
    let checkpointer;
    /** True while the checkpointer copies the WAL's tail: queued appends wait (see wal-checkpointer.ts). */
    let isQuiet = false;
    if (walSync !== undefined) {
        db.pragma('wal_autocheckpoint = 0');
        const reportError = options.onError ?? ((err) => process.stderr.write(`parley: ${err.message}\n`));
        checkpointer = startWalCheckpointer({
            path: resolve(options.path),
            onQuietRequest: (ready) => {
                isQuiet = true;
                ready();
            },
            onQuietEnd: () => {
                isQuiet = false;
                if (pending.length > 0)
                    flushScheduled ??= setImmediate(flushQueued);
            },
            onError: (err) => {
                reportError(err);
                if (db.open)
                    db.pragma('wal_autocheckpoint = 1000');
            },
        });
    }
    const fullSync = db.prepare('PRAGMA synchronous = FULL');
    const q = {
        siteByKey: db.prepare(`SELECT ${SITE_COLUMNS$1} FROM sites WHERE key = ?`),
        siteById: db.prepare(`SELECT ${SITE_COLUMNS$1} FROM sites WHERE id = ?`),
        allSites: db.prepare(`SELECT ${SITE_COLUMNS$1} FROM sites ORDER BY created_at ASC, rowid ASC`),
        insertSite: db.prepare('INSERT INTO sites (id, key, allowed_origins, identity_secret, requires_identity, business_hours, theme, rating_scale, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
        updateSite: db.prepare('UPDATE sites SET allowed_origins = ?, identity_secret = ?, requires_identity = ?, business_hours = ?, theme = ?, rating_scale = ? WHERE id = ?'),
        siteFaq: db.prepare('SELECT site_id, source, updated_at FROM site_faqs WHERE site_id = ?'),
        putSiteFaq: db.prepare('INSERT INTO site_faqs (site_id, source, updated_at) VALUES (?, ?, ?) ON CONFLICT (site_id) DO UPDATE SET source = excluded.source, updated_at = excluded.updated_at'),
        insertVisitor: db.prepare('INSERT INTO visitors (id, site_id, created_at, external_id) VALUES (?, ?, ?, ?)'),
        visitorById: db.prepare('SELECT id, site_id, created_at, external_id FROM visitors WHERE id = ?'),
        visitorByExternalId: db.prepare('SELECT id, site_id, created_at, external_id FROM visitors WHERE site_id = ? AND external_id = ?'),
        bindVisitor: db.prepare('UPDATE visitors SET external_id = ? WHERE id = ? AND site_id = ? AND external_id IS NULL'),
        revokeAgentToken: db.prepare('UPDATE agents SET token_hash = ? WHERE id = ?'),
        deleteAgentSessions: db.prepare('DELETE FROM agent_sessions WHERE agent_id = ?'),
        insertAgent: db.prepare(`INSERT INTO agents (id, site_id, name, avatar_url, token_hash, email, password_hash, role, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
        agentByHash: db.prepare(`SELECT ${AGENT_COLUMNS$1} FROM agents a WHERE a.token_hash = ?`),
        agentBySession: db.prepare(`SELECT ${AGENT_COLUMNS$1} FROM agent_sessions s JOIN agents a ON a.id = s.agent_id WHERE s.token_hash = ? AND s.expires_at > ?`),
        agentByEmail: db.prepare(`SELECT ${AGENT_COLUMNS$1}, a.password_hash FROM agents a WHERE a.email = ?`),
        insertSession: db.prepare('INSERT INTO agent_sessions (token_hash, agent_id, expires_at) VALUES (?, ?, ?)'),
        deleteSession: db.prepare('DELETE FROM agent_sessions WHERE token_hash = ?'),
        deleteExpiredSessions: db.prepare('DELETE FROM agent_sessions WHERE expires_at <= ?'),
        insertPage: db.prepare('INSERT INTO conversation_pages (conversation_id, url, title, at) VALUES (?, ?, ?, ?)'),
        pagesOf: db.prepare('SELECT url, title, at FROM conversation_pages WHERE conversation_id = ? ORDER BY at ASC, rowid ASC'),
        closeDetails: db.prepare('SELECT transcript, closed_at, closed_by, close_reason FROM conversations WHERE id = ?'),
        // Visitor name/e-mail live in the profile JSON; message text is searched only in text messages.
        searchConversations: db.prepare(`SELECT c.id, c.site_id, c.visitor_id, c.status, c.last_seq, c.created_at, c.profile, c.agent_id,
              a.name AS agent_name, a.avatar_url AS agent_avatar_url, c.escalation_reason, c.queued_at,
              c.visitor_read_seq, c.agent_read_seq, c.closed_at, r.score AS rating, r.scale AS rating_scale,
              lm.text AS last_text, lm.at AS last_at, lm.author_role AS last_role
       FROM conversations c
       LEFT JOIN agents a ON a.id = c.agent_id
       LEFT JOIN ratings r ON r.conversation_id = c.id
       LEFT JOIN messages lm ON lm.conversation_id = c.id AND lm.seq = (
         SELECT MAX(seq) FROM messages m2 WHERE m2.conversation_id = c.id AND m2.kind = 'text')
       WHERE c.site_id = @siteId
         AND (@status IS NULL OR c.status = @status)
         AND (@pattern IS NULL
              OR lower(coalesce(json_extract(c.profile, '$.name'), '')) LIKE @pattern ESCAPE '\\'
              OR lower(coalesce(json_extract(c.profile, '$.email'), '')) LIKE @pattern ESCAPE '\\'
              OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.kind = 'text'
                         AND lower(m.text) LIKE @pattern ESCAPE '\\'))
       ORDER BY c.created_at DESC, c.rowid DESC
       LIMIT @limit OFFSET @offset`),
        ratingsSince: db.prepare(`SELECT r.conversation_id, r.score, r.scale, r.comment, r.at, a.id AS agent_id, a.name AS agent_name, a.avatar_url AS agent_avatar_url
       FROM ratings r JOIN conversations c ON c.id = r.conversation_id LEFT JOIN agents a ON a.id = c.agent_id
       WHERE c.site_id = ? AND r.at >= ? ORDER BY r.at ASC, r.rowid ASC`),
        setAvailability: db.prepare('UPDATE agents SET availability = ? WHERE id = ?'),
        noteByClientId: db.prepare('SELECT * FROM notes WHERE conversation_id = ? AND client_id = ?'),
        insertNote: db.prepare('INSERT INTO notes (conversation_id, client_id, author_id, author_name, text, at) VALUES (?, ?, ?, ?, ?, ?)'),
        notesOf: db.prepare('SELECT * FROM notes WHERE conversation_id = ? ORDER BY at ASC, rowid ASC LIMIT ?'),
        conversationById: db.prepare(`${CONVERSATION_SELECT$1} WHERE c.id = ?`),
        conversationByStart: db.prepare(`${CONVERSATION_SELECT$1} WHERE c.visitor_id = ? AND c.start_client_id = ?`),
        insertConversation: db.prepare(`INSERT INTO conversations (id, site_id, visitor_id, start_client_id, status, created_at, profile)
       VALUES (?, ?, ?, ?, 'bot', ?, ?)`),
        statusAndSeq: db.prepare('SELECT status, last_seq FROM conversations WHERE id = ?'),
        messageByClientId: db.prepare('SELECT * FROM messages WHERE conversation_id = ? AND client_id = ?'),
        bumpSeq: db.prepare('UPDATE conversations SET last_seq = last_seq + 1 WHERE id = ?'),
        insertMessage: db.prepare(`INSERT INTO messages (conversation_id, seq, client_id, author_role, author_id, author_name, kind, text, attachments, quick_replies, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
        messagesAfter: db.prepare('SELECT * FROM messages WHERE conversation_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?'),
        messagesBefore: db.prepare('SELECT * FROM messages WHERE conversation_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?'),
        markVisitorRead: db.prepare('UPDATE conversations SET visitor_read_seq = MAX(visitor_read_seq, MIN(?, last_seq)) WHERE id = ?'),
        markAgentRead: db.prepare('UPDATE conversations SET agent_read_seq = MAX(agent_read_seq, MIN(?, last_seq)) WHERE id = ?'),
        setProfile: db.prepare('UPDATE conversations SET profile = ? WHERE id = ?'),
        escalate: db.prepare(`UPDATE conversations SET status = ?, escalation_reason = ?, transcript = ?, profile = ?, queued_at = ?
       WHERE id = ? AND status IN ('bot', 'offline')`),
        queue: db.prepare(`SELECT id, visitor_id, queued_at, escalation_reason, profile, transcript FROM conversations
       WHERE site_id = ? AND status = 'queued' ORDER BY queued_at ASC, rowid ASC`),
        // An offline message (left while nobody was online) is taken the same way; its time waiting is not a queue wait,
        // so it leaves assigned_at (the wait estimate's input) unset.
        assign: db.prepare(`UPDATE conversations SET status = 'assigned', agent_id = ?,
         assigned_at = CASE WHEN status = 'queued' THEN ? ELSE assigned_at END
       WHERE id = ? AND status IN ('queued', 'offline')`),
        close: db.prepare(`UPDATE conversations SET status = 'closed', closed_at = ?, closed_by = ?, close_reason = ?
       WHERE id = ? AND status <> 'closed'`),
        insertRating: db.prepare('INSERT INTO ratings (conversation_id, score, scale, comment, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (conversation_id) DO NOTHING'),
        ratingById: db.prepare('SELECT conversation_id, score, scale, comment, at FROM ratings WHERE conversation_id = ?'),
    };
    // Routing statements (RoutingStore); kept apart from `q` so the routing rules read in one place.
    const r = {
        touchAssigned: db.prepare('UPDATE agents SET last_assigned_at = ? WHERE id = ?'),
        presenceAvailability: db.prepare('UPDATE agent_presence SET availability = ? WHERE agent_id = ?'),
        putPresence: db.prepare(`INSERT INTO agent_presence (connection_id, agent_id, site_id, node_id, availability, connected_at, seen_at)
       VALUES (@connectionId, @agentId, @siteId, @nodeId, @availability, @at, @at)
       ON CONFLICT (connection_id) DO UPDATE SET availability = excluded.availability, seen_at = excluded.seen_at`),
        presenceAgent: db.prepare('SELECT agent_id FROM agent_presence WHERE connection_id = ?'),
        deletePresence: db.prepare('DELETE FROM agent_presence WHERE connection_id = ?'),
        touchSeen: db.prepare('UPDATE agents SET last_seen_at = MAX(COALESCE(last_seen_at, 0), ?) WHERE id = ?'),
        renewNode: db.prepare('UPDATE agent_presence SET seen_at = ? WHERE node_id = ?'),
        foldLapsed: db.prepare(`UPDATE agents SET last_seen_at = MAX(COALESCE(last_seen_at, 0),
         (SELECT MAX(p.seen_at) FROM agent_presence p WHERE p.agent_id = agents.id AND p.seen_at < @before))
       WHERE id IN (SELECT agent_id FROM agent_presence WHERE seen_at < @before)`),
        deleteLapsed: db.prepare('DELETE FROM agent_presence WHERE seen_at < ?'),
        setCapacity: db.prepare('UPDATE agents SET capacity = ? WHERE id = ?'),
        loads: db.prepare(`SELECT a.id, a.name, a.avatar_url, a.capacity, a.last_assigned_at, MIN(p.connected_at) AS connected_at,
              MAX(CASE p.availability WHEN 'online' THEN 2 WHEN 'away' THEN 1 ELSE 0 END) AS rank,
              (SELECT COUNT(*) FROM conversations c WHERE c.agent_id = a.id AND c.status = 'assigned') AS active
       FROM agent_presence p JOIN agents a ON a.id = p.agent_id
       WHERE p.site_id = ? AND p.seen_at >= ?
       GROUP BY a.id`),
        capacityOf: db.prepare(`SELECT a.capacity, (SELECT COUNT(*) FROM conversations c WHERE c.agent_id = a.id AND c.status = 'assigned') AS active
       FROM agents a WHERE a.id = ?`),
        oldestQueued: db.prepare(`SELECT id FROM conversations WHERE site_id = ? AND status = 'queued' ORDER BY queued_at ASC, rowid ASC LIMIT 1`),
        transferTo: db.prepare(`UPDATE conversations SET agent_id = ? WHERE id = ? AND status = 'assigned' AND agent_id = ?`),
        transferToQueue: db.prepare(`UPDATE conversations SET status = 'queued', agent_id = NULL, queued_at = ? WHERE id = ? AND status = 'assigned' AND agent_id = ?`),
        abandoned: db.prepare(`SELECT c.id, c.site_id, a.id AS agent_id, a.name AS agent_name, a.avatar_url AS agent_avatar_url
       FROM conversations c JOIN agents a ON a.id = c.agent_id
       WHERE c.status = 'assigned'
         AND NOT EXISTS (SELECT 1 FROM agent_presence p WHERE p.agent_id = a.id AND p.seen_at >= @liveSince)
         AND MAX(COALESCE(a.last_seen_at, 0),
                 COALESCE((SELECT MAX(p.seen_at) FROM agent_presence p WHERE p.agent_id = a.id), 0)) < @goneBefore
       ORDER BY c.rowid`),
        recentWaits: db.prepare(`SELECT assigned_at - queued_at AS wait FROM conversations
       WHERE site_id = ? AND assigned_at IS NOT NULL AND queued_at IS NOT NULL AND assigned_at >= queued_at
       ORDER BY assigned_at DESC LIMIT ?`),
    };
    const toSite = (row) => {
        const site = {
            id: row.id,
            key: row.key,
            allowedOrigins: parseJson(row.allowed_origins, []),
            requiresIdentity: row.requires_identity === 1,
        };
        if (row.identity_secret !== null)
            site.identitySecret = row.identity_secret;
        const hours = parseJson(row.business_hours, null);
        if (hours !== null)
            site.businessHours = hours;
        const theme = parseJson(row.theme, null);
        if (theme !== null)
            site.theme = theme;
        if (isRatingScale(row.rating_scale))
            site.ratingScale = row.rating_scale;
        return site;
    };
    /** Runs a synchronous body as the async API: driver errors become STORAGE_UNAVAILABLE. */
    function run(body) {
        try {
            if (!db.open)
                throw unavailable$2(new Error('database closed'));
            return Promise.resolve(body());
        }
        catch (err) {
            return Promise.reject(err instanceof ParleyError ? err : unavailable$2(err));
        }
    }
    function getConversationSync(id) {
        const row = q.conversationById.get(id);
        return row === undefined ? undefined : toConversation$1(row);
    }
    /** Inserts one message inside the caller's transaction; domain refusals are thrown as ParleyError. */
    function insertOne(input) {
        const existing = q.messageByClientId.get(input.conversationId, input.clientId);
        if (existing !== undefined)
            return { message: toMessage$1(existing), duplicate: true };
        const conv = q.statusAndSeq.get(input.conversationId);
        if (conv === undefined)
            throw new ParleyError('CONVERSATION_NOT_FOUND', 'no such conversation');
        if (conv.status === 'closed' && input.kind === 'text') {
            throw new ParleyError('CONVERSATION_CLOSED', 'the conversation is closed');
        }
        // last_seq is bumped in the same transaction as the insert, so seqs have no gaps even if a write fails.
        q.bumpSeq.run(input.conversationId);
        const seq = conv.last_seq + 1;
        const at = now();
        q.insertMessage.run(input.conversationId, seq, input.clientId, input.author.role, input.author.id, input.author.name ?? null, input.kind, input.text, input.attachments === undefined ? null : JSON.stringify(input.attachments), input.quickReplies === undefined ? null : JSON.stringify(input.quickReplies), at);
        const message = {
            conversationId: input.conversationId,
            seq,
            clientId: input.clientId,
            author: { ...input.author },
            kind: input.kind,
            text: input.text,
            at,
        };
        if (input.attachments !== undefined)
            message.attachments = input.attachments;
        if (input.quickReplies !== undefined)
            message.quickReplies = input.quickReplies;
        return { message: withEventCode(message), duplicate: false };
    }
    // Group commit: every append of one event-loop turn shares one transaction (one fsync), then all are acked.
    let pending = [];
    let flushScheduled;
    /** The scheduled group commit; during a checkpoint's quiet window the queue keeps growing instead. */
    function flushQueued() {
        flushScheduled = undefined;
        if (!isQuiet)
            flush();
    }
    function flush() {
        flushScheduled = undefined;
        const batch = pending;
        pending = [];
        if (batch.length === 0)
            return;
        const outcomes = [];
        try {
            if (!db.open)
                throw new Error('database closed');
            if (walSync !== undefined)
                deferSync.run();
            db.transaction(() => {
                for (const item of batch) {
                    try {
                        outcomes.push({ ok: true, value: insertOne(item.input) });
                    }
                    catch (err) {
                        // Domain refusals fail one item; anything else aborts the batch (rethrown → rollback).
                        if (err instanceof ParleyError)
                            outcomes.push({ ok: false, error: err });
                        else
                            throw err;
                    }
                }
            })();
        }
        catch (err) {
            const error = err instanceof ParleyError ? err : unavailable$2(err);
            for (const item of batch)
                item.reject(error);
            return;
        }
        finally {
            if (walSync !== undefined && db.open)
                fullSync.run();
        }
        const settle = (syncError) => {
            // Written but not known to be on disk: refuse (retryable); the client's resend is acked as a duplicate.
            const error = syncError === undefined ? undefined : unavailable$2(syncError);
            batch.forEach((item, i) => {
                const outcome = outcomes[i];
                if (error !== undefined)
                    item.reject(error);
                else if (outcome.ok)
                    item.resolve(outcome.value);
                else
                    item.reject(outcome.error);
            });
        };
        // Acks wait for the WAL fsync; batches committed meanwhile share the next one.
        if (walSync === undefined)
            settle();
        else
            walSync.afterCommit(settle);
    }
    /** A write outside the group-commit queue (assign, close): flush first so seqs keep arrival order. */
    function transact(body) {
        if (pending.length > 0) {
            if (flushScheduled !== undefined)
                clearImmediate(flushScheduled);
            flush();
        }
        // Appends still waiting for their fsync are acked (and broadcast) before this write's result.
        walSync?.syncNow();
        return db.transaction(body)();
    }
    function writeEvent(conversationId, author, text, code) {
        return insertOne({ conversationId, clientId: eventClientId(code), author, kind: 'event', text }).message;
    }
    const storage = {
        getSiteByKey: (key) => run(() => {
            const row = q.siteByKey.get(key);
            return row === undefined ? undefined : toSite(row);
        }),
        getSite: (id) => run(() => {
            const row = q.siteById.get(id);
            return row === undefined ? undefined : toSite(row);
        }),
        getDefaultSite: () => run(() => {
            const row = q.siteByKey.get('demo');
            if (row === undefined)
                throw unavailable$2(new Error('default site missing'));
            return toSite(row);
        }),
        createSite: (input) => run(() => {
            const site = { id: `site_${randomUUID()}`, key: input.key, allowedOrigins: [...input.allowedOrigins], requiresIdentity: input.requiresIdentity ?? false };
            if (input.identitySecret !== undefined)
                site.identitySecret = input.identitySecret;
            if (input.businessHours !== undefined)
                site.businessHours = input.businessHours;
            if (input.theme !== undefined)
                site.theme = input.theme;
            if (input.ratingScale !== undefined)
                site.ratingScale = input.ratingScale;
            if (q.siteByKey.get(input.key) !== undefined)
                throw new ParleyError('STORAGE_CONFLICT', `the site key "${input.key}" is taken`);
            q.insertSite.run(site.id, site.key, JSON.stringify(site.allowedOrigins), site.identitySecret ?? null, site.requiresIdentity ? 1 : 0, site.businessHours === undefined ? null : JSON.stringify(site.businessHours), site.theme === undefined ? null : JSON.stringify(site.theme), site.ratingScale ?? null, now());
            return site;
        }),
        updateSite: (id, patch) => run(() => db.transaction(() => {
            const row = q.siteById.get(id);
            if (row === undefined)
                return undefined;
            const site = toSite(row);
            const allowedOrigins = patch.allowedOrigins ?? site.allowedOrigins;
            const secret = patch.identitySecret === undefined ? (site.identitySecret ?? null) : patch.identitySecret;
            const requiresIdentity = patch.requiresIdentity ?? site.requiresIdentity;
            const hours = patch.businessHours === undefined ? (site.businessHours ?? null) : patch.businessHours;
            const theme = patch.theme === undefined ? (site.theme ?? null) : patch.theme;
            const scale = patch.ratingScale === undefined ? (site.ratingScale ?? null) : patch.ratingScale;
            q.updateSite.run(JSON.stringify(allowedOrigins), secret, requiresIdentity ? 1 : 0, hours === null ? null : JSON.stringify(hours), theme === null ? null : JSON.stringify(theme), scale, id);
            return toSite(q.siteById.get(id));
        })()),
        listSites: () => run(() => q.allSites.all().map(toSite)),
        getSiteFaq: (siteId) => run(() => {
            const row = q.siteFaq.get(siteId);
            return row === undefined ? undefined : { siteId: row.site_id, source: row.source, updatedAt: row.updated_at };
        }),
        putSiteFaq: ({ siteId, source }) => run(() => {
            const faq = { siteId, source, updatedAt: now() };
            q.putSiteFaq.run(faq.siteId, faq.source, faq.updatedAt);
            return faq;
        }),
        createVisitor: (siteId) => run(() => {
            const visitor = { id: `v_${randomUUID()}`, siteId, createdAt: now() };
            q.insertVisitor.run(visitor.id, visitor.siteId, visitor.createdAt, null);
            return visitor;
        }),
        getVisitor: (id) => run(() => {
            const row = q.visitorById.get(id);
            return row === undefined ? undefined : toVisitor$1(row);
        }),
        identifyVisitor: (input) => run(() => db.transaction(() => {
            const bound = q.visitorByExternalId.get(input.siteId, input.externalId);
            if (bound !== undefined)
                return toVisitor$1(bound);
            if (input.visitorId !== undefined && q.bindVisitor.run(input.externalId, input.visitorId, input.siteId).changes === 1) {
                return toVisitor$1(q.visitorById.get(input.visitorId));
            }
            const visitor = { id: `v_${randomUUID()}`, siteId: input.siteId, createdAt: now(), externalId: input.externalId };
            q.insertVisitor.run(visitor.id, visitor.siteId, visitor.createdAt, visitor.externalId);
            return visitor;
        })()),
        createAgent: (input) => run(() => {
            const role = input.role ?? 'agent';
            const agent = { id: `a_${randomUUID()}`, siteId: input.siteId, name: input.name, availability: 'offline', role };
            if (input.avatarUrl !== undefined)
                agent.avatarUrl = input.avatarUrl;
            if (input.email !== undefined)
                agent.email = input.email;
            q.insertAgent.run(agent.id, input.siteId, input.name, input.avatarUrl ?? null, input.tokenHash, input.email ?? null, input.passwordHash ?? null, role, now());
            return agent;
        }),
        getAgentByTokenHash: (tokenHash) => run(() => {
            const row = q.agentByHash.get(tokenHash) ?? q.agentBySession.get(tokenHash, now());
            return row === undefined ? undefined : toAgent$1(row);
        }),
        getAgentCredentials: (email) => run(() => {
            const row = q.agentByEmail.get(email);
            return row === undefined ? undefined : { agent: toAgent$1(row), passwordHash: row.password_hash ?? undefined };
        }),
        createAgentSession: (session) => run(() => {
            // Expired sessions are swept on the next login rather than by a timer.
            q.deleteExpiredSessions.run(now());
            q.insertSession.run(session.tokenHash, session.agentId, session.expiresAt);
        }),
        deleteAgentSession: (tokenHash) => run(() => {
            q.deleteSession.run(tokenHash);
        }),
        setAgentAvailability: (agentId, availability) => run(() => db.transaction(() => {
            q.setAvailability.run(availability, agentId);
            r.presenceAvailability.run(availability, agentId);
        })()),
        revokeAgentCredentials: (agentId) => run(() => db.transaction(() => {
            // token_hash is NOT NULL UNIQUE: a random value no SHA-256 hex digest can equal stands in for "none".
            if (q.revokeAgentToken.run(`revoked:${randomUUID()}`, agentId).changes === 0)
                return false;
            q.deleteAgentSessions.run(agentId);
            return true;
        })()),
        startConversation: (input) => run(() => db.transaction(() => {
            const existing = q.conversationByStart.get(input.visitorId, input.clientId);
            if (existing !== undefined)
                return { conversation: toConversation$1(existing), created: false };
            const id = `c_${randomUUID()}`;
            q.insertConversation.run(id, input.siteId, input.visitorId, input.clientId, now(), JSON.stringify(input.profile ?? {}));
            return { conversation: getConversationSync(id), created: true };
        })()),
        getConversation: (id) => run(() => getConversationSync(id)),
        appendMessage: (input) => {
            if (!db.open)
                return Promise.reject(unavailable$2(new Error('database closed')));
            return new Promise((resolve, reject) => {
                pending.push({ input, resolve, reject });
                flushScheduled ??= setImmediate(flushQueued);
            });
        },
        listMessages: (query) => run(() => {
            const limit = Math.max(1, Math.floor(query.limit));
            if (query.afterSeq !== undefined) {
                const rows = q.messagesAfter.all(query.conversationId, query.afterSeq, limit + 1);
                return { messages: rows.slice(0, limit).map(toMessage$1), hasMore: rows.length > limit };
            }
            const before = query.beforeSeq ?? Number.MAX_SAFE_INTEGER;
            const rows = q.messagesBefore.all(query.conversationId, before, limit + 1);
            return { messages: rows.slice(0, limit).reverse().map(toMessage$1), hasMore: rows.length > limit };
        }),
        markRead: (conversationId, role, upToSeq) => run(() => {
            (role === 'visitor' ? q.markVisitorRead : q.markAgentRead).run(upToSeq, conversationId);
            const conv = getConversationSync(conversationId);
            if (conv === undefined)
                throw new ParleyError('CONVERSATION_NOT_FOUND', 'no such conversation');
            return role === 'visitor' ? conv.visitorReadSeq : conv.agentReadSeq;
        }),
        recordPage: (conversationId, url, title) => run(() => db.transaction(() => {
            const conv = getConversationSync(conversationId);
            if (conv === undefined)
                throw new ParleyError('CONVERSATION_NOT_FOUND', 'no such conversation');
            const profile = { ...conv.profile, page: url };
            if (title !== undefined)
                profile.pageTitle = title;
            q.setProfile.run(JSON.stringify(profile), conversationId);
            q.insertPage.run(conversationId, url, title ?? null, now());
        })()),
        escalate: (input) => run(() => transact(() => {
            const before = getConversationSync(input.conversationId);
            if (before === undefined)
                return { changed: false, conversation: undefined };
            const profile = { ...before.profile, ...input.profile };
            const info = q.escalate.run(input.status ?? 'queued', input.reason, JSON.stringify(input.transcript), JSON.stringify(profile), now(), input.conversationId);
            return { changed: info.changes === 1, conversation: getConversationSync(input.conversationId) };
        })),
        listQueue: (siteId) => run(() => q.queue.all(siteId).map((row) => ({
            conversationId: row.id,
            visitorId: row.visitor_id,
            queuedAt: row.queued_at,
            reason: row.escalation_reason,
            profile: parseJson(row.profile, {}),
            transcript: parseJson(row.transcript, []),
        }))),
        assign: (conversationId, agent) => run(() => transact(() => {
            // The WHERE status='queued' makes this a compare-and-set: of two agents accepting at once, one changes a row.
            const at = now();
            const info = q.assign.run(agent.id, at, conversationId);
            if (info.changes !== 1)
                return { changed: false, conversation: getConversationSync(conversationId) };
            r.touchAssigned.run(at, agent.id);
            const author = { role: 'agent', id: agent.id, name: agent.name };
            const event = writeEvent(conversationId, author, `${agent.name} joined the conversation`, 'joined');
            return { changed: true, conversation: getConversationSync(conversationId), event };
        })),
        closeConversation: (conversationId, by, reason) => run(() => transact(() => {
            const before = getConversationSync(conversationId);
            if (before === undefined)
                return { changed: false, conversation: undefined };
            if (before.status === 'closed')
                return { changed: false, conversation: before };
            // The event is written before the status flips; text messages are refused once closed, events are not.
            const event = writeEvent(conversationId, { role: 'system', id: 'system' }, `Conversation closed by the ${by}`, 'closed');
            q.close.run(now(), by, reason ?? null, conversationId);
            return { changed: true, conversation: getConversationSync(conversationId), event };
        })),
        searchConversations: (query) => run(() => q.searchConversations
            .all({
            siteId: query.siteId,
            status: query.status ?? null,
            pattern: query.q === undefined || query.q.trim() === '' ? null : likePattern$1(query.q.trim()),
            limit: Math.max(1, Math.floor(query.limit)),
            offset: Math.max(0, Math.floor(query.offset ?? 0)),
        })
            .map((row) => {
            const conv = toConversation$1(row);
            const summary = {
                id: conv.id,
                status: conv.status,
                createdAt: conv.createdAt,
                lastSeq: conv.lastSeq,
                profile: conv.profile,
            };
            if (conv.agent !== undefined)
                summary.agent = conv.agent;
            if (conv.escalationReason !== undefined)
                summary.escalationReason = conv.escalationReason;
            if (row.closed_at !== null)
                summary.closedAt = row.closed_at;
            if (row.rating !== null) {
                summary.rating = row.rating;
                summary.ratingScale = toRatingScale(row.rating_scale);
            }
            if (row.last_text !== null && row.last_at !== null && row.last_role !== null) {
                summary.lastMessage = { text: row.last_text, at: row.last_at, role: row.last_role };
            }
            return summary;
        })),
        getConversationDetail: (id) => run(() => {
            const conv = getConversationSync(id);
            if (conv === undefined)
                return undefined;
            const extra = q.closeDetails.get(id);
            const detail = {
                ...conv,
                transcript: parseJson(extra.transcript, []),
                pages: q.pagesOf.all(id).map((p) => (p.title === null ? { url: p.url, at: p.at } : { url: p.url, title: p.title, at: p.at })),
            };
            const rating = q.ratingById.get(id);
            if (rating !== undefined) {
                detail.rating = { conversationId: rating.conversation_id, score: rating.score, scale: toRatingScale(rating.scale), at: rating.at };
                if (rating.comment !== null)
                    detail.rating.comment = rating.comment;
            }
            if (extra.closed_at !== null)
                detail.closedAt = extra.closed_at;
            if (extra.closed_by === 'visitor' || extra.closed_by === 'agent')
                detail.closedBy = extra.closed_by;
            if (extra.close_reason !== null)
                detail.closeReason = extra.close_reason;
            return detail;
        }),
        listRatings: (query) => run(() => q.ratingsSince.all(query.siteId, query.sinceMs).map((row) => {
            const record = { conversationId: row.conversation_id, score: row.score, scale: toRatingScale(row.scale), at: row.at };
            if (row.comment !== null)
                record.comment = row.comment;
            if (row.agent_id !== null) {
                record.agent = { id: row.agent_id, name: row.agent_name ?? '' };
                if (row.agent_avatar_url !== null)
                    record.agent.avatarUrl = row.agent_avatar_url;
            }
            return record;
        })),
        addNote: (input) => run(() => db.transaction(() => {
            const existing = q.noteByClientId.get(input.conversationId, input.clientId);
            if (existing !== undefined)
                return { note: toNote$1(existing), duplicate: true };
            if (q.statusAndSeq.get(input.conversationId) === undefined)
                throw new ParleyError('CONVERSATION_NOT_FOUND', 'no such conversation');
            const at = now();
            q.insertNote.run(input.conversationId, input.clientId, input.author.id, input.author.name ?? null, input.text, at);
            const note = { conversationId: input.conversationId, clientId: input.clientId, author: { ...input.author, role: 'agent' }, text: input.text, at };
            return { note, duplicate: false };
        })()),
        listNotes: (conversationId, limit) => run(() => q.notesOf.all(conversationId, Math.max(1, Math.floor(limit))).map(toNote$1)),
        rate: (input) => run(() => db.transaction(() => {
            if (getConversationSync(input.conversationId) === undefined) {
                throw new ParleyError('CONVERSATION_NOT_FOUND', 'no such conversation');
            }
            const info = q.insertRating.run(input.conversationId, input.score, input.scale ?? 'csat', input.comment ?? null, now());
            const row = q.ratingById.get(input.conversationId);
            const rating = { conversationId: row.conversation_id, score: row.score, scale: toRatingScale(row.scale), at: row.at };
            if (row.comment !== null)
                rating.comment = row.comment;
            return { rating, created: info.changes === 1 };
        })()),
        putAgentPresence: (lease) => run(() => {
            r.putPresence.run(lease);
        }),
        removeAgentPresence: (connectionId, at) => run(() => db.transaction(() => {
            const row = r.presenceAgent.get(connectionId);
            if (row === undefined)
                return;
            r.deletePresence.run(connectionId);
            r.touchSeen.run(at, row.agent_id);
        })()),
        renewNodePresence: (nodeId, at) => run(() => {
            r.renewNode.run(at, nodeId);
        }),
        setAgentCapacity: (agentId, capacity) => run(() => {
            r.setCapacity.run(capacity, agentId);
        }),
        purgeLapsedPresence: (beforeMs) => run(() => db.transaction(() => {
            r.foldLapsed.run({ before: beforeMs });
            r.deleteLapsed.run(beforeMs);
        })()),
        listAgentLoads: (siteId, liveSinceMs) => run(() => r.loads.all(siteId, liveSinceMs).map((row) => {
            const agent = row.avatar_url === null ? { id: row.id, name: row.name } : { id: row.id, name: row.name, avatarUrl: row.avatar_url };
            return {
                agent,
                availability: row.rank === 2 ? 'online' : row.rank === 1 ? 'away' : 'offline',
                capacity: row.capacity,
                activeCount: row.active,
                idleSinceMs: Math.max(row.last_assigned_at ?? 0, row.connected_at),
            };
        })),
        assignNext: (siteId, agent) => run(() => 
        // SQLite has one writer at a time: inside this transaction nobody else can count or assign.
        transact(() => {
            const load = r.capacityOf.get(agent.id);
            if (load === undefined || load.active >= load.capacity)
                return { kind: 'full' };
            const next = r.oldestQueued.get(siteId);
            if (next === undefined)
                return { kind: 'empty' };
            const at = now();
            if (q.assign.run(agent.id, at, next.id).changes !== 1)
                return { kind: 'empty' };
            r.touchAssigned.run(at, agent.id);
            const author = { role: 'agent', id: agent.id, name: agent.name };
            const event = writeEvent(next.id, author, `${agent.name} joined the conversation`, 'joined');
            return { kind: 'assigned', transition: { changed: true, conversation: getConversationSync(next.id), event } };
        })),
        transfer: (conversationId, fromAgentId, from, to) => run(() => transact(() => {
            if (to !== undefined) {
                const load = r.capacityOf.get(to.id);
                if (load === undefined || load.active >= load.capacity)
                    return { changed: false, conversation: getConversationSync(conversationId), refusal: 'agent_full' };
            }
            const info = to === undefined ? r.transferToQueue.run(now(), conversationId, fromAgentId) : r.transferTo.run(to.id, conversationId, fromAgentId);
            if (info.changes !== 1)
                return { changed: false, conversation: getConversationSync(conversationId), refusal: 'not_assigned' };
            const author = { role: 'agent', id: from.id, name: from.name };
            const text = to === undefined ? `${from.name} put the conversation back in the queue` : `${from.name} transferred the conversation to ${to.name}`;
            const event = writeEvent(conversationId, author, text, to === undefined ? 'requeued' : 'transferred');
            return { changed: true, conversation: getConversationSync(conversationId), event };
        })),
        requeueAbandoned: ({ liveSinceMs, goneBeforeMs }) => run(() => transact(() => {
            const moved = [];
            for (const row of r.abandoned.all({ liveSince: liveSinceMs, goneBefore: goneBeforeMs })) {
                if (r.transferToQueue.run(now(), row.id, row.agent_id).changes !== 1)
                    continue;
                const agent = row.agent_avatar_url === null ? { id: row.agent_id, name: row.agent_name } : { id: row.agent_id, name: row.agent_name, avatarUrl: row.agent_avatar_url };
                const event = writeEvent(row.id, { role: 'system', id: 'system' }, `${agent.name} left; waiting for another agent`, 'left');
                moved.push({ siteId: row.site_id, agent, transition: { changed: true, conversation: getConversationSync(row.id), event } });
            }
            return moved;
        })),
        listRecentWaits: (siteId, limit) => run(() => r.recentWaits.all(siteId, Math.max(1, Math.floor(limit))).map((row) => row.wait).reverse()),
        listVisitorConversations: (visitorId) => run(() => db
            .prepare('SELECT id FROM conversations WHERE visitor_id = ? ORDER BY created_at ASC, rowid ASC')
            .all(visitorId)
            .map((row) => row.id)),
        eraseVisitor: (visitorId) => run(() => 
        // transact() flushes queued appends first, so no message of this visitor lands after the delete.
        transact(() => {
            if (q.visitorById.get(visitorId) === undefined)
                return undefined;
            const ofVisitor = 'SELECT id FROM conversations WHERE visitor_id = ?';
            const attachmentUrls = db
                .prepare(`SELECT attachments FROM messages WHERE conversation_id IN (${ofVisitor}) AND attachments IS NOT NULL`)
                .all(visitorId)
                .flatMap((row) => parseJson(row.attachments, []).map((a) => a.url));
            const messages = db.prepare(`DELETE FROM messages WHERE conversation_id IN (${ofVisitor})`).run(visitorId).changes;
            db.prepare(`DELETE FROM conversation_pages WHERE conversation_id IN (${ofVisitor})`).run(visitorId);
            db.prepare(`DELETE FROM ratings WHERE conversation_id IN (${ofVisitor})`).run(visitorId);
            const conversations = db.prepare('DELETE FROM conversations WHERE visitor_id = ?').run(visitorId).changes;
            db.prepare('DELETE FROM visitors WHERE id = ?').run(visitorId);
            return { conversations, messages, attachmentUrls };
        })),
        applyRetention: ({ closedBefore, limit }) => run(() => transact(() => {
            const ids = db
                .prepare(`SELECT id FROM conversations WHERE status = 'closed' AND closed_at < ? ORDER BY closed_at ASC LIMIT ?`)
                .all(closedBefore, Math.max(1, Math.floor(limit)))
                .map((row) => row.id);
            for (const id of ids) {
                db.prepare('DELETE FROM messages WHERE conversation_id = ?').run(id);
                db.prepare('DELETE FROM conversation_pages WHERE conversation_id = ?').run(id);
                db.prepare('DELETE FROM ratings WHERE conversation_id = ?').run(id);
                db.prepare('DELETE FROM conversations WHERE id = ?').run(id);
            }
            const visitors = db
                .prepare('DELETE FROM visitors WHERE created_at < ? AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.visitor_id = visitors.id)')
                .run(closedBefore).changes;
            return { conversations: ids.length, visitors };
        })),
        listAgents: (siteId) => run(() => db
            .prepare(`SELECT ${AGENT_COLUMNS$1}, a.created_at,
                  (a.token_hash LIKE 'revoked:%' AND a.password_hash IS NULL) AS is_disabled
           FROM agents a WHERE a.site_id = ? ORDER BY a.created_at ASC, a.rowid ASC`)
            .all(siteId)
            .map((row) => ({ ...toAgent$1(row), createdAt: row.created_at, disabled: row.is_disabled === 1 }))),
        disableAgent: (agentId) => run(() => db.transaction(() => {
            // Same stand-in as revokeAgentCredentials: token_hash is NOT NULL UNIQUE and no SHA-256 hex equals it.
            const changed = db
                .prepare(`UPDATE agents SET token_hash = ?, password_hash = NULL, availability = 'offline' WHERE id = ?`)
                .run(`revoked:${randomUUID()}`, agentId).changes;
            if (changed === 0)
                return false;
            db.prepare('DELETE FROM agent_sessions WHERE agent_id = ?').run(agentId);
            return true;
        })()),
        drain: async () => {
            if (flushScheduled !== undefined) {
                clearImmediate(flushScheduled);
                flush();
            }
            walSync?.syncNow();
        },
        close: async () => {
            await storage.drain();
            // Before the last connection closes: SQLite then checkpoints and removes the WAL itself.
            await checkpointer?.close();
            walSync?.close();
            if (db.open)
                db.close();
        },
    };
    return storage;
}
function migrate$1(db) {
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = db.prepare('SELECT version FROM schema_version').get();
    if (row === undefined)
        db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
    const current = row?.version ?? 0;
    if (current > MIGRATIONS$1.length) {
        throw new ParleyError('STORAGE_UNAVAILABLE', `database schema version ${current} is newer than this server (${MIGRATIONS$1.length}); upgrade the server`);
    }
    for (let version = current; version < MIGRATIONS$1.length; version++) {
        db.transaction(() => {
            db.exec(MIGRATIONS$1[version]);
            db.prepare('UPDATE schema_version SET version = ?').run(version + 1);
        })();
    }
}

// Agent passwords: scrypt hashes as `scrypt$N$r$p$salt$hash` (base64url), verified in constant time. No storage.
/** OWASP's scrypt minimum (N=2^14, r=8, p=1): ~16 MiB and tens of ms per attempt. */
const PARAMS = { N: 16384, r: 8, p: 1 };
const KEY_BYTES = 64;
const SALT_BYTES = 16;
/** Bounds for stored parameters, so a tampered row cannot make one login eat the CPU or memory. */
const MAX_N = 1 << 20;
const MAX_R = 32;
const MAX_P = 16;
const MIN_PASSWORD_LENGTH = 8;
const MAX_PASSWORD_LENGTH = 1024;
function derive(password, salt, keyBytes, options) {
    return new Promise((resolve, reject) => {
        scrypt(password.normalize('NFKC'), salt, keyBytes, { ...options, maxmem: 256 * options.N * options.r }, (err, key) => err ? reject(err) : resolve(key));
    });
}
/** Hashes a password with a fresh random salt. */
async function hashPassword(password) {
    const salt = randomBytes(SALT_BYTES);
    const key = await derive(password, salt, KEY_BYTES, PARAMS);
    return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}
/** True when `password` matches `stored`. A malformed `stored` never matches. */
async function verifyPassword(password, stored) {
    const parts = stored.split('$');
    if (parts.length !== 6 || parts[0] !== 'scrypt')
        return false;
    const [N, r, p] = parts.slice(1, 4).map(Number);
    const isPowerOfTwo = Number.isInteger(N) && N > 1 && (N & (N - 1)) === 0;
    if (!isPowerOfTwo || N > MAX_N || !(r >= 1 && r <= MAX_R) || !(p >= 1 && p <= MAX_P))
        return false;
    const salt = Buffer.from(parts[4], 'base64url');
    const expected = Buffer.from(parts[5], 'base64url');
    if (salt.length === 0 || expected.length < 16)
        return false;
    const actual = await derive(password, salt, expected.length, { N, r, p });
    return timingSafeEqual(actual, expected);
}
/** A valid hash of a random password: checked when the e-mail is unknown, so timing does not reveal which e-mails exist. */
let decoyHash;
function decoyPasswordHash() {
    decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
    return decoyHash;
}

// Creating agents: a random token shown once, its SHA-256 stored; optional e-mail + scrypt password and role for
// console logins. Shared by createServer().createAgent and the CLI.
/** Longest agent name, matching the protocol's label limit. */
const MAX_NAME_LENGTH$1 = 512;
const MAX_EMAIL_LENGTH = 254;
/** Deliberately loose: one @, something on each side, no spaces. Delivery is not our concern, uniqueness is. */
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const MAX_AVATAR_URL_LENGTH = 2048;
/**
 * Avatars reach every shopper's page as an `<img src>`: only absolute http(s) URLs, so a `javascript:` or `data:`
 * URL is refused here rather than trusted to each client's own check.
 */
function checkAvatarUrl(avatarUrl) {
    let protocol;
    try {
        protocol = new URL(avatarUrl).protocol;
    }
    catch {
        // Not a URL at all: protocol stays undefined.
    }
    if (avatarUrl.length > MAX_AVATAR_URL_LENGTH || (protocol !== 'https:' && protocol !== 'http:')) {
        throw new ParleyError('CONFIG_INVALID', `the avatar URL must be an http(s) URL of at most ${MAX_AVATAR_URL_LENGTH} characters`);
    }
}
/** Lowercased and trimmed: e-mails are compared case-insensitively. */
function normalizeEmail(email) {
    return email.trim().toLowerCase();
}
async function createAgentRecord(storage, input) {
    const name = input.name.trim();
    if (name === '' || name.length > MAX_NAME_LENGTH$1) {
        throw new ParleyError('CONFIG_INVALID', `agent name must be 1–${MAX_NAME_LENGTH$1} characters`);
    }
    if (input.role !== undefined && input.role !== 'agent' && input.role !== 'admin') {
        throw new ParleyError('CONFIG_INVALID', 'agent role must be "agent" or "admin"');
    }
    if (input.avatarUrl !== undefined)
        checkAvatarUrl(input.avatarUrl);
    if ((input.email === undefined) !== (input.password === undefined)) {
        throw new ParleyError('CONFIG_INVALID', 'give both an e-mail and a password for a console login, or neither');
    }
    let email;
    let passwordHash;
    if (input.email !== undefined && input.password !== undefined) {
        email = normalizeEmail(input.email);
        if (!EMAIL.test(email) || email.length > MAX_EMAIL_LENGTH)
            throw new ParleyError('CONFIG_INVALID', `"${input.email}" is not an e-mail address`);
        if (input.password.length < MIN_PASSWORD_LENGTH || input.password.length > MAX_PASSWORD_LENGTH) {
            throw new ParleyError('CONFIG_INVALID', `the password must be ${MIN_PASSWORD_LENGTH}–${MAX_PASSWORD_LENGTH} characters`);
        }
        if ((await storage.getAgentCredentials(email)) !== undefined) {
            throw new ParleyError('CONFIG_INVALID', `an agent with the e-mail ${email} already exists`);
        }
        passwordHash = await hashPassword(input.password);
    }
    const site = input.siteKey === undefined ? await storage.getDefaultSite() : await storage.getSiteByKey(input.siteKey);
    if (site === undefined)
        throw new ParleyError('CONFIG_INVALID', `no site with key "${input.siteKey}"`);
    const token = generateAgentToken();
    const agent = await storage.createAgent({
        siteId: site.id,
        name,
        tokenHash: hashAgentToken(token),
        ...(input.avatarUrl === undefined ? {} : { avatarUrl: input.avatarUrl }),
        ...(email === undefined ? {} : { email, passwordHash }),
        ...(input.role === undefined ? {} : { role: input.role }),
    });
    return { agent, token };
}

// Console authentication: password login → session token (stored hashed), `Authorization: Bearer` checks,
// logout, and the per-IP login rate limit. Never accepts a token in a URL.
function toAgentProfile(agent) {
    const profile = { id: agent.id, name: agent.name, role: agent.role, availability: agent.availability };
    if (agent.email !== undefined)
        profile.email = agent.email;
    if (agent.avatarUrl !== undefined)
        profile.avatarUrl = agent.avatarUrl;
    return profile;
}
const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{1,1024})$/;
/** One message for unknown e-mail and wrong password, so the answer is no oracle for which e-mails exist. */
const BAD_CREDENTIALS = 'wrong e-mail or password';
function createConsoleAuth(options) {
    const { storage, now } = options;
    const buckets = new Map();
    return {
        async authenticate(req) {
            const match = BEARER.exec(req.headers.authorization ?? '');
            if (match === null)
                throw new ParleyError('AUTH_INVALID_TOKEN', 'send Authorization: Bearer <token>');
            const tokenHash = hashAgentToken(match[1]);
            const agent = await storage.getAgentByTokenHash(tokenHash);
            if (agent === undefined)
                throw new ParleyError('AUTH_INVALID_TOKEN', 'the token is not valid or has expired');
            return { agent, tokenHash };
        },
        async login(ip, body) {
            let bucket = buckets.get(ip);
            if (bucket === undefined)
                buckets.set(ip, (bucket = new TokenBucket(options.loginRate, now())));
            if (!bucket.take(now()))
                throw new ParleyError('RATE_LIMITED', 'too many login attempts; wait a minute', { retryable: true });
            const { email, password } = body;
            if (typeof email !== 'string' || typeof password !== 'string' || email.length > 254 || password.length > MAX_PASSWORD_LENGTH) {
                throw new ParleyError('PROTOCOL_BAD_FRAME', 'send {"email": string, "password": string}');
            }
            const found = await storage.getAgentCredentials(normalizeEmail(email));
            // Unknown e-mails and password-less agents still pay for one scrypt, so timing tells nothing either.
            const stored = found?.passwordHash ?? (await decoyPasswordHash());
            const isMatch = await verifyPassword(password, stored);
            if (found === undefined || found.passwordHash === undefined || !isMatch) {
                throw new ParleyError('AUTH_INVALID_TOKEN', BAD_CREDENTIALS);
            }
            const token = generateAgentToken();
            const expiresAt = now() + options.sessionTtlMs;
            await storage.createAgentSession({ agentId: found.agent.id, tokenHash: hashAgentToken(token), expiresAt });
            return { token, expiresAt, agent: toAgentProfile(found.agent) };
        },
        async logout(tokenHash) {
            await storage.deleteAgentSession(tokenHash);
            await options.onSessionEnded?.(tokenHash);
        },
        sweep() {
            const at = now();
            for (const [ip, bucket] of buckets)
                if (bucket.isFull(at))
                    buckets.delete(ip);
        },
    };
}

// CSAT figures from ratings: overall, per agent and per UTC day. Pure; the API router fetches the ratings. Only
// ratings on the csat scale count: a site that switched to ces or nps keeps its earlier CSAT history, unmixed.
const DAY_MS$1 = 24 * 60 * 60 * 1000;
const round2 = (n) => Math.round(n * 100) / 100;
const utcDay = (ms) => new Date(ms).toISOString().slice(0, 10);
/** Start of the UTC day `days - 1` days before `nowMs`: the window then holds `days` calendar days. */
function csatWindowStart(nowMs, days) {
    const today = Math.floor(nowMs / DAY_MS$1) * DAY_MS$1;
    return today - (days - 1) * DAY_MS$1;
}
function summarizeCsat(ratings, nowMs, days) {
    const since = csatWindowStart(nowMs, days);
    const byDay = new Map();
    const byAgent = new Map();
    let sum = 0;
    let count = 0;
    for (const r of ratings) {
        if (r.at < since || r.scale !== 'csat')
            continue;
        sum += r.score;
        count++;
        const day = byDay.get(utcDay(r.at)) ?? { sum: 0, count: 0 };
        day.sum += r.score;
        day.count++;
        byDay.set(utcDay(r.at), day);
        if (r.agent !== undefined) {
            const agent = byAgent.get(r.agent.id) ?? { name: r.agent.name, sum: 0, count: 0 };
            agent.sum += r.score;
            agent.count++;
            byAgent.set(r.agent.id, agent);
        }
    }
    const perDay = [];
    for (let i = 0; i < days; i++) {
        const day = utcDay(since + i * DAY_MS$1);
        const bucket = byDay.get(day);
        perDay.push({ day, count: bucket?.count ?? 0, average: bucket === undefined ? null : round2(bucket.sum / bucket.count) });
    }
    const perAgent = [...byAgent.entries()]
        .map(([agentId, a]) => ({ agentId, name: a.name, count: a.count, average: round2(a.sum / a.count) }))
        .sort((a, b) => b.average - a.average || b.count - a.count || a.name.localeCompare(b.name));
    return { since, days, count, average: count === 0 ? null : round2(sum / count), perAgent, perDay };
}

// JSON over HTTP for the REST API: bounded body reading, `{code, message}` errors with their status. No routing.
/** Largest request body the API reads (login is the only one with a body). */
const MAX_BODY_BYTES = 16 * 1024;
const STATUS = {
    PROTOCOL_BAD_JSON: 400,
    PROTOCOL_BAD_FRAME: 400,
    PROTOCOL_STRING_TOO_LONG: 400,
    PROTOCOL_FRAME_TOO_LARGE: 413,
    PROTOCOL_UNKNOWN_TYPE: 404,
    AUTH_INVALID_TOKEN: 401,
    AUTH_EXPIRED_TOKEN: 401,
    AUTH_FORBIDDEN: 403,
    AUTH_ORIGIN_REFUSED: 403,
    CONVERSATION_NOT_FOUND: 404,
    RATE_LIMITED: 429,
    STORAGE_UNAVAILABLE: 503,
    SERVER_SHUTTING_DOWN: 503,
    ATTACHMENT_TOO_LARGE: 413,
    ATTACHMENT_TYPE_REFUSED: 415,
    ATTACHMENT_URL_REFUSED: 400,
};
/** The HTTP status an error code is answered with; 500 for anything not listed. */
function httpStatusFor(code) {
    return STATUS[code] ?? 500;
}
function sendJson(res, status, body, headers = {}) {
    const text = JSON.stringify(body);
    res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(text)),
        // API answers carry personal data and tokens: never cache them anywhere.
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        ...headers,
    });
    res.end(text);
}
/** Answers with `{code, message}`; internal errors get a generic message (details stay in the log). */
function sendError(res, error, headers = {}) {
    const status = httpStatusFor(error.code);
    const message = status === 500 ? 'internal error' : error.message;
    const body = { code: error.code, message };
    if (error.retryable)
        body.retryable = true;
    sendJson(res, status, body, headers);
}
/** Reads and parses a JSON object body of at most `maxBytes`. Rejects with a ParleyError for the API to answer. */
function readJsonBody(req, maxBytes = MAX_BODY_BYTES) {
    return new Promise((resolve, reject) => {
        const type = req.headers['content-type'] ?? '';
        if (!/^application\/json\s*(;|$)/i.test(type)) {
            reject(new ParleyError('PROTOCOL_BAD_FRAME', 'send the body as application/json'));
            req.resume();
            return;
        }
        const declared = Number(req.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBytes) {
            reject(new ParleyError('PROTOCOL_FRAME_TOO_LARGE', `the body is over ${maxBytes} bytes`));
            req.resume();
            return;
        }
        const chunks = [];
        let size = 0;
        let isDone = false;
        req.on('data', (chunk) => {
            if (isDone)
                return;
            size += chunk.length;
            if (size > maxBytes) {
                isDone = true;
                reject(new ParleyError('PROTOCOL_FRAME_TOO_LARGE', `the body is over ${maxBytes} bytes`));
                return;
            }
            chunks.push(chunk);
        });
        req.on('error', (err) => {
            if (isDone)
                return;
            isDone = true;
            reject(new ParleyError('PROTOCOL_BAD_FRAME', 'the request body could not be read', { cause: err }));
        });
        req.on('end', () => {
            if (isDone)
                return;
            isDone = true;
            let value;
            try {
                value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            }
            catch (err) {
                reject(new ParleyError('PROTOCOL_BAD_JSON', 'the body is not valid JSON', { cause: err }));
                return;
            }
            if (typeof value !== 'object' || value === null || Array.isArray(value)) {
                reject(new ParleyError('PROTOCOL_BAD_FRAME', 'the body must be a JSON object'));
                return;
            }
            resolve(value);
        });
    });
}

// The console's REST API under /api: routing, input validation and answers. Auth lives in auth.ts, figures in
// csat.ts; this file must not touch sockets or SQL.
const STATUSES$1 = ['bot', 'queued', 'assigned', 'closed', 'offline'];
const DEFAULT_LIST_LIMIT = 50;
const MAX_LIST_LIMIT = 200;
const MAX_QUERY_LENGTH = 200;
/** Paging deeper than this is better done with a narrower search; it also bounds the database's work. */
const MAX_LIST_OFFSET = 10_000;
/** Messages returned with one conversation; older ones are paged over the socket (`history.get`). */
const DETAIL_MESSAGES = 500;
/** Internal notes returned with one conversation, oldest first. */
const DETAIL_NOTES = 500;
const CSAT_DAYS = 30;
function badRequest$1(message) {
    return new ParleyError('PROTOCOL_BAD_FRAME', message);
}
/** Builds the /api request handler. Every answer is JSON; errors are `{code, message}`. */
function createApiRouter(options) {
    const { storage, auth, logger, now } = options;
    const login = async (req, res) => {
        const body = await readJsonBody(req);
        const result = await auth.login(req.socket.remoteAddress ?? 'unknown', body);
        logger.info('console.login', { agentId: result.agent.id });
        sendJson(res, 200, result);
    };
    const logout = async (req, res) => {
        const { tokenHash } = await auth.authenticate(req);
        await auth.logout(tokenHash);
        res.writeHead(204, { 'cache-control': 'no-store' }).end();
    };
    const me = async (req, res) => {
        const { agent } = await auth.authenticate(req);
        sendJson(res, 200, { agent: toAgentProfile(agent) });
    };
    const listConversations = async (req, res, url) => {
        const { agent } = await auth.authenticate(req);
        const status = url.searchParams.get('status') ?? '';
        if (status !== '' && !STATUSES$1.includes(status)) {
            throw badRequest$1(`status must be one of ${STATUSES$1.join(', ')}`);
        }
        const q = url.searchParams.get('q') ?? '';
        if (q.length > MAX_QUERY_LENGTH)
            throw badRequest$1(`q must be at most ${MAX_QUERY_LENGTH} characters`);
        const limitText = url.searchParams.get('limit');
        const limit = limitText === null || limitText === '' ? DEFAULT_LIST_LIMIT : Number(limitText);
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT)
            throw badRequest$1(`limit must be an integer 1–${MAX_LIST_LIMIT}`);
        const offsetText = url.searchParams.get('offset');
        const offset = offsetText === null || offsetText === '' ? 0 : Number(offsetText);
        if (!Number.isInteger(offset) || offset < 0 || offset > MAX_LIST_OFFSET)
            throw badRequest$1(`offset must be an integer 0–${MAX_LIST_OFFSET}`);
        const conversations = await storage.searchConversations({
            siteId: agent.siteId,
            limit,
            offset,
            ...(status === '' ? {} : { status: status }),
            ...(q.trim() === '' ? {} : { q }),
        });
        sendJson(res, 200, { conversations });
    };
    const getConversation = async (req, res, _url, [id]) => {
        const { agent } = await auth.authenticate(req);
        const conversationId = id ?? '';
        const detail = conversationId.length > DEFAULT_LIMITS.maxIdLength ? undefined : await storage.getConversationDetail(conversationId);
        // Another site's conversation is answered exactly like a missing one: ids are no oracle.
        if (detail === undefined || detail.siteId !== agent.siteId)
            throw new ParleyError('CONVERSATION_NOT_FOUND', 'no such conversation');
        const page = await storage.listMessages({ conversationId: detail.id, limit: DETAIL_MESSAGES });
        const notes = await storage.listNotes(detail.id, DETAIL_NOTES);
        sendJson(res, 200, { conversation: detail, messages: page.messages, hasMoreMessages: page.hasMore, notes });
    };
    // Colleagues to transfer to: connected agents of the site with availability and load. Names only: no e-mails,
    // roles or credentials. Agents with no live connection are left out (they could not take a chat).
    const listAgents = async (req, res) => {
        const { agent } = await auth.authenticate(req);
        const loads = await storage.listAgentLoads(agent.siteId, options.liveSince?.() ?? 0);
        const agents = loads.map((l) => ({
            id: l.agent.id,
            name: l.agent.name,
            ...(l.agent.avatarUrl === undefined ? {} : { avatarUrl: l.agent.avatarUrl }),
            availability: l.availability,
            capacity: l.capacity,
            activeCount: l.activeCount,
        }));
        sendJson(res, 200, { agents });
    };
    const csat = async (req, res) => {
        const { agent } = await auth.authenticate(req);
        const at = now();
        const stats = summarizeCsat(await storage.listRatings({ siteId: agent.siteId, sinceMs: at - CSAT_DAYS * 86_400_000 }), at, CSAT_DAYS);
        // Agents see the team's daily series but only their own row; admins see every agent.
        if (agent.role !== 'admin')
            stats.perAgent = stats.perAgent.filter((row) => row.agentId === agent.id);
        sendJson(res, 200, stats);
    };
    const routes = [
        { method: 'POST', pattern: /^\/api\/login$/, route: login },
        { method: 'POST', pattern: /^\/api\/logout$/, route: logout },
        { method: 'GET', pattern: /^\/api\/me$/, route: me },
        { method: 'GET', pattern: /^\/api\/conversations$/, route: listConversations },
        { method: 'GET', pattern: /^\/api\/conversations\/([^/]+)$/, route: getConversation },
        { method: 'GET', pattern: /^\/api\/stats\/csat$/, route: csat },
        { method: 'GET', pattern: /^\/api\/agents$/, route: listAgents },
    ];
    return async (req, res) => {
        try {
            const url = new URL(req.url ?? '/', 'http://localhost');
            const matches = routes
                .map((r) => ({ ...r, found: r.pattern.exec(url.pathname) }))
                .filter((r) => r.found !== null);
            if (matches.length === 0)
                throw new ParleyError('PROTOCOL_UNKNOWN_TYPE', `no route ${url.pathname}`);
            const match = matches.find((r) => r.method === req.method || (req.method === 'HEAD' && r.method === 'GET'));
            if (match === undefined) {
                const allow = [...new Set(matches.map((r) => r.method))].join(', ');
                sendJson(res, 405, { code: 'PROTOCOL_UNKNOWN_TYPE', message: `use ${allow}` }, { allow });
                return;
            }
            let params;
            try {
                params = match.found.slice(1).map((p) => decodeURIComponent(p));
            }
            catch {
                throw badRequest$1('malformed path');
            }
            await match.route(req, res, url, params);
        }
        catch (err) {
            if (res.headersSent) {
                logger.error('api.failed_after_headers', describeError(err));
                res.destroy();
                return;
            }
            options.onError?.(err instanceof ParleyError ? err.code : 'SERVER_INTERNAL');
            if (err instanceof ParleyError) {
                if (err.code === 'STORAGE_UNAVAILABLE')
                    logger.error('api.storage_unavailable', describeError(err));
                const headers = {};
                if (err.code === 'RATE_LIMITED')
                    headers['retry-after'] = '60';
                if (err.code === 'AUTH_INVALID_TOKEN' && req.url !== '/api/login')
                    headers['www-authenticate'] = 'Bearer';
                sendError(res, err, headers);
                return;
            }
            logger.error('api.internal', describeError(err));
            sendError(res, new ParleyError('SERVER_INTERNAL', 'internal error'));
        }
    };
}

// Serves the built console (index.html + assets) under a path prefix: GET/HEAD only, paths confined to the
// directory, content types, ETag revalidation, strict CSP, SPA fallback. Knows nothing about the API.
const TYPES = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.mjs': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.json': 'application/json; charset=utf-8',
    '.map': 'application/json; charset=utf-8',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.ico': 'image/x-icon',
    '.woff2': 'font/woff2',
    '.txt': 'text/plain; charset=utf-8',
};
/**
 * The console needs nothing inline and talks only to its own origin (REST, WebSocket, FAQ JSON).
 * `connect-src 'self'` covers same-origin ws:/wss: in CSP Level 3 browsers.
 */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
function plain(res, status, text, headers = {}) {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
}
async function fileStats(path) {
    try {
        const stats = await stat(path);
        return stats.isFile() ? stats : undefined;
    }
    catch {
        // Missing or unreadable: the caller answers 404 or falls back to index.html.
        return undefined;
    }
}
/** Builds a handler for requests whose path starts with `prefix` (and for the bare prefix without its slash). */
function createStaticHandler(options) {
    const root = resolve(options.dir);
    const prefix = options.prefix.endsWith('/') ? options.prefix : `${options.prefix}/`;
    return async (req, res) => {
        if (req.method !== 'GET' && req.method !== 'HEAD') {
            plain(res, 405, 'method not allowed', { allow: 'GET, HEAD' });
            return;
        }
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (url.pathname === prefix.slice(0, -1)) {
            res.writeHead(308, { location: `${prefix}${url.search}` }).end();
            return;
        }
        let relative;
        try {
            relative = decodeURIComponent(url.pathname.slice(prefix.length));
        }
        catch {
            plain(res, 400, 'bad path');
            return;
        }
        if (relative.includes('\0')) {
            plain(res, 400, 'bad path');
            return;
        }
        if (relative === '' || relative.endsWith('/'))
            relative += 'index.html';
        // Resolve, then insist the result is still inside root: `..`, encoded `%2e%2e` and absolute paths all land here.
        let path = resolve(root, `.${sep}${relative}`);
        if (path !== root && !path.startsWith(root + sep)) {
            plain(res, 404, 'not found');
            return;
        }
        let stats = await fileStats(path);
        if (stats === undefined) {
            // Client-side routes (/console/history) get the app; a missing asset (/console/x.js) is a real 404.
            if (extname(relative) !== '' || options.isPublicAsset) {
                plain(res, 404, 'not found');
                return;
            }
            path = resolve(root, 'index.html');
            stats = await fileStats(path);
            if (stats === undefined) {
                plain(res, 404, 'the console is not built (run the console build)');
                return;
            }
        }
        const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
        const headers = {
            'content-type': TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
            // File names carry no content hash, so every use revalidates; the ETag makes that a cheap 304.
            'cache-control': 'no-cache',
            etag,
            'x-content-type-options': 'nosniff',
            'referrer-policy': 'no-referrer',
            'content-security-policy': CSP,
            'x-frame-options': 'DENY',
        };
        if (options.isPublicAsset) {
            headers['access-control-allow-origin'] = '*';
            headers['cross-origin-resource-policy'] = 'cross-origin';
            delete headers['x-frame-options'];
        }
        if (req.headers['if-none-match'] === etag) {
            res.writeHead(304, headers).end();
            return;
        }
        headers['content-length'] = String(stats.size);
        res.writeHead(200, headers);
        if (req.method === 'HEAD') {
            res.end();
            return;
        }
        const stream = createReadStream(path);
        stream.on('error', () => res.destroy());
        stream.pipe(res);
    };
}

// Probes for orchestrators: /healthz (the process answers; 503 while draining so load balancers stop sending)
// and /readyz (this node can serve: storage and fan-out answer in time, and it is not draining).
function answer(res, status, body) {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
}
/** Handles `/healthz` and `/readyz`; resolves false for any other path. */
function createHealthHandler(options) {
    const timeoutMs = options.timeoutMs ?? 2000;
    async function runCheck(name, check) {
        let timer;
        const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
        try {
            return await Promise.race([check().then(() => 'ok'), timeout]);
        }
        catch (err) {
            options.logger.warn('readyz.check_failed', { check: name, ...describeError(err) });
            return 'failed';
        }
        finally {
            clearTimeout(timer);
        }
    }
    return async (req, res, path) => {
        if (path !== '/healthz' && path !== '/readyz')
            return false;
        if (req.method !== 'GET' && req.method !== 'HEAD') {
            res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed');
            return true;
        }
        const isDraining = options.isDraining();
        if (path === '/healthz') {
            answer(res, isDraining ? 503 : 200, { status: isDraining ? 'draining' : 'ok' });
            return true;
        }
        const names = Object.keys(options.checks);
        const results = await Promise.all(names.map((name) => runCheck(name, options.checks[name])));
        const checks = { draining: isDraining ? 'yes' : 'no' };
        names.forEach((name, i) => (checks[name] = results[i]));
        const isReady = !isDraining && results.every((r) => r === 'ok');
        answer(res, isReady ? 200 : 503, { status: isReady ? 'ready' : 'not_ready', checks });
        return true;
    };
}

// A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text exposition
// format (version 0.0.4). Hand-written because the server needs a dozen series, not a client library.
/** Label values are escaped as the format requires: backslash, double quote and newline. */
function escapeLabel(value) {
    return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
function formatLabels(labels, extra) {
    const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
    if (extra !== undefined)
        pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
    return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}
function formatNumber(value) {
    if (Number.isNaN(value))
        return 'NaN';
    if (value === Infinity)
        return '+Inf';
    if (value === -Infinity)
        return '-Inf';
    return String(value);
}
const keyOf = (labels) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
class Metric {
    name;
    help;
    type;
    series = new Map();
    constructor(name, help, type) {
        this.name = name;
        this.help = help;
        this.type = type;
    }
    entry(labels, initial) {
        const key = keyOf(labels);
        let found = this.series.get(key);
        if (found === undefined)
            this.series.set(key, (found = { labels: { ...labels }, value: initial() }));
        return found;
    }
    render() {
        return [`# HELP ${this.name} ${this.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${this.name} ${this.type}`, ...this.lines()].join('\n');
    }
}
class Counter extends Metric {
    constructor(name, help) {
        super(name, help, 'counter');
    }
    inc(labels = {}, by = 1) {
        if (!(by >= 0))
            return;
        this.entry(labels, () => 0).value += by;
    }
    get(labels = {}) {
        return this.series.get(keyOf(labels))?.value ?? 0;
    }
    lines() {
        return [...this.series.values()].map((s) => `${this.name}${formatLabels(s.labels)} ${formatNumber(s.value)}`);
    }
}
class Gauge extends Metric {
    constructor(name, help) {
        super(name, help, 'gauge');
    }
    set(labels, value) {
        this.entry(labels, () => 0).value = value;
    }
    /** Replaces every series at once (a scrape-time snapshot, so vanished label sets vanish too). */
    replace(values) {
        this.series.clear();
        for (const { labels, value } of values)
            this.set(labels, value);
    }
    lines() {
        return [...this.series.values()].map((s) => `${this.name}${formatLabels(s.labels)} ${formatNumber(s.value)}`);
    }
}
class Histogram extends Metric {
    buckets;
    constructor(name, help, buckets) {
        super(name, help, 'histogram');
        this.buckets = [...buckets].sort((a, b) => a - b);
    }
    observe(labels, value) {
        if (!Number.isFinite(value))
            return;
        const v = this.entry(labels, () => ({ counts: this.buckets.map(() => 0), sum: 0, count: 0 })).value;
        // Cumulative buckets: an observation counts in every bucket whose bound it does not exceed.
        this.buckets.forEach((bound, i) => {
            if (value <= bound)
                v.counts[i]++;
        });
        v.sum += value;
        v.count++;
    }
    lines() {
        const out = [];
        for (const s of this.series.values()) {
            this.buckets.forEach((bound, i) => out.push(`${this.name}_bucket${formatLabels(s.labels, ['le', formatNumber(bound)])} ${s.value.counts[i]}`));
            out.push(`${this.name}_bucket${formatLabels(s.labels, ['le', '+Inf'])} ${s.value.count}`);
            out.push(`${this.name}_sum${formatLabels(s.labels)} ${formatNumber(s.value.sum)}`);
            out.push(`${this.name}_count${formatLabels(s.labels)} ${s.value.count}`);
        }
        return out;
    }
}
/** Metrics in registration order, plus collectors run before each render (for values read at scrape time). */
class Registry {
    metrics = [];
    collectors = [];
    register(metric) {
        this.metrics.push(metric);
        return metric;
    }
    onCollect(collect) {
        this.collectors.push(collect);
    }
    async render() {
        await Promise.all(this.collectors.map((c) => c()));
        return `${this.metrics.map((m) => m.render()).join('\n')}\n`;
    }
}
/** The content type Prometheus expects for the text format. */
const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

// GET /metrics in the Prometheus text format, optionally behind a bearer token (scrapers send it as
// `authorization: Bearer …`, Prometheus' `authorization` / `bearer_token` setting).
const digest = (text) => createHash('sha256').update(text).digest();
function createMetricsEndpoint(options) {
    // Compared as SHA-256 digests so the comparison is constant-time whatever the lengths.
    const expected = options.token === undefined ? undefined : digest(`Bearer ${options.token}`);
    return async (req, res) => {
        if (req.method !== 'GET' && req.method !== 'HEAD') {
            res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed');
            return;
        }
        if (expected !== undefined) {
            const given = req.headers.authorization;
            if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected)) {
                res.writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"', 'content-type': 'text/plain' }).end('unauthorized');
                return;
            }
        }
        const body = await options.render();
        res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(body)) });
        res.end(req.method === 'HEAD' ? undefined : body);
    };
}

// Parley's Prometheus series: what an operator graphs and alerts on. Fed by domain events (domain-events.ts),
// error frames and API errors, and read at scrape time for gauges (connections, queue).
/** Seconds: from a sub-second pickup to the better part of an hour in the queue. */
const WAIT_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];
/** Seconds: a compare-and-set that should take milliseconds. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
function createServerMetrics(options) {
    const registry = new Registry();
    const connections = registry.register(new Gauge('parley_connections', 'Open WebSocket connections by endpoint role.'));
    const messages = registry.register(new Counter('parley_messages_total', 'Messages stored, by author role and kind; rate() of it is messages per second.'));
    const conversations = registry.register(new Counter('parley_conversations_total', 'Conversation state changes, by event.'));
    const escalations = registry.register(new Counter('parley_escalations_total', 'Conversations handed to the queue, by reason.'));
    const ratings = registry.register(new Counter('parley_ratings_total', 'CSAT ratings stored, by score.'));
    const queueLength = registry.register(new Gauge('parley_queue_length', 'Conversations waiting for an agent, by site key.'));
    const queueOldest = registry.register(new Gauge('parley_queue_oldest_wait_seconds', 'How long the longest-waiting queued conversation has waited, by site key.'));
    const wait = registry.register(new Histogram('parley_queue_wait_seconds', 'Time from entering the queue to being assigned to an agent.', WAIT_BUCKETS));
    const assignLatency = registry.register(new Histogram('parley_assignment_duration_seconds', 'Time the server took to carry out one assignment (the stored compare-and-set).', LATENCY_BUCKETS));
    const errors = registry.register(new Counter('parley_errors_total', 'Errors answered to clients, by code and transport (ws or http).'));
    const webhooks = registry.register(new Counter('parley_webhook_deliveries_total', 'Webhook delivery attempts by event and outcome.'));
    const scrapeErrors = registry.register(new Counter('parley_metrics_collect_errors_total', 'Scrapes whose queue figures could not be read.'));
    const memory = registry.register(new Gauge('parley_process_resident_memory_bytes', 'Resident set size of the server process.'));
    const uptime = registry.register(new Gauge('parley_process_uptime_seconds', 'Seconds since the process started.'));
    registry.onCollect(async () => {
        const open = options.connections();
        connections.set({ role: 'visitor' }, open.visitor);
        connections.set({ role: 'agent' }, open.agent);
        memory.set({}, process.memoryUsage.rss());
        uptime.set({}, Math.round(process.uptime()));
        try {
            const queues = await options.queues();
            const at = options.now();
            queueLength.replace(queues.map((q) => ({ labels: { site: q.siteKey }, value: q.length })));
            queueOldest.replace(queues.map((q) => ({ labels: { site: q.siteKey }, value: q.oldestQueuedAt === undefined ? 0 : Math.max(0, at - q.oldestQueuedAt) / 1000 })));
        }
        catch {
            // A scrape while the database is down still answers with everything else; the counter tells.
            scrapeErrors.inc();
        }
    });
    return {
        registry,
        onEvent(event) {
            switch (event.type) {
                case 'message.created':
                    messages.inc({ role: event.message.author.role, kind: event.message.kind });
                    return;
                case 'conversation.escalated':
                    escalations.inc({ reason: event.reason });
                    conversations.inc({ event: 'escalated' });
                    return;
                case 'conversation.assigned':
                    conversations.inc({ event: 'assigned' });
                    if (event.waitMs !== undefined)
                        wait.observe({}, event.waitMs / 1000);
                    assignLatency.observe({}, event.durationMs / 1000);
                    return;
                case 'conversation.created':
                    conversations.inc({ event: 'created' });
                    return;
                case 'conversation.closed':
                    conversations.inc({ event: 'closed' });
                    return;
                case 'rating.created':
                    ratings.inc({ score: String(event.rating.score) });
                    return;
            }
        },
        countError: (code, transport) => errors.inc({ code, transport }),
        countWebhook: (event, outcome) => webhooks.inc({ event, outcome }),
        render: () => registry.render(),
    };
}

// Outgoing webhooks: each domain event POSTed as JSON to every subscribed endpoint, signed with HMAC-SHA256,
// retried with exponential backoff. Deliveries live in memory: a restart loses those still pending (logged).
const SIGNATURE_HEADER = 'parley-signature';
/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the endpoint secret>`. */
function signWebhook(secret, timestampSeconds, body) {
    const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
    return `t=${timestampSeconds},v1=${mac}`;
}
/**
 * Checks a `parley-signature` header against the raw body, in constant time, and refuses timestamps older (or
 * newer) than `toleranceSeconds` so a captured request cannot be replayed later.
 * @example
 * if (!verifyWebhookSignature({ secret, header: req.headers['parley-signature'], body: rawBody })) res.writeHead(400);
 */
function verifyWebhookSignature(input) {
    const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(input.header ?? '');
    if (match === null)
        return false;
    const t = Number(match[1]);
    const now = Math.floor((input.nowMs ?? Date.now()) / 1000);
    if (Math.abs(now - t) > (input.toleranceSeconds ?? 300))
        return false;
    const expected = createHmac('sha256', input.secret).update(`${t}.${input.body}`).digest();
    return timingSafeEqual(expected, Buffer.from(match[2], 'hex'));
}
/** What receivers get about each event: ids, states and content, never tokens or internal read markers. */
function webhookData(event) {
    const conversationOf = (c) => ({
        id: c.id,
        siteId: c.siteId,
        visitorId: c.visitorId,
        status: c.status,
        createdAt: c.createdAt,
        profile: c.profile,
    });
    switch (event.type) {
        case 'conversation.created':
            return { conversation: conversationOf(event.conversation) };
        case 'conversation.escalated':
            return { conversation: conversationOf(event.conversation), reason: event.reason };
        case 'conversation.assigned':
            return { conversation: conversationOf(event.conversation), agent: event.agent, ...(event.waitMs === undefined ? {} : { waitMs: event.waitMs }) };
        case 'conversation.closed':
            return { conversation: conversationOf(event.conversation), closedBy: event.closedBy, ...(event.reason === undefined ? {} : { reason: event.reason }) };
        case 'message.created':
            return { message: event.message };
        case 'rating.created':
            return { rating: event.rating };
    }
}
/** Throws CONFIG_INVALID for an unusable endpoint list. */
function validateWebhookEndpoints(endpoints) {
    for (const endpoint of endpoints) {
        let url;
        try {
            url = new URL(endpoint.url);
        }
        catch {
            throw new ParleyError('CONFIG_INVALID', `webhook URL "${endpoint.url}" is not a URL`);
        }
        if (url.protocol !== 'https:' && url.protocol !== 'http:')
            throw new ParleyError('CONFIG_INVALID', `webhook URL "${endpoint.url}" must be http(s)`);
        if (typeof endpoint.secret !== 'string' || endpoint.secret.length < 16) {
            throw new ParleyError('CONFIG_INVALID', `the webhook secret for ${url.origin} must be at least 16 characters`);
        }
        for (const e of endpoint.events ?? []) {
            if (!DOMAIN_EVENT_TYPES.includes(e))
                throw new ParleyError('CONFIG_INVALID', `unknown webhook event "${e}"; use ${DOMAIN_EVENT_TYPES.join(', ')}`);
        }
    }
}
/** Connections kept open per receiver host: deliveries beyond it wait for a free one. */
const MAX_SOCKETS_PER_HOST = 16;
/**
 * One POST over node:http(s) with keep-alive agents: several times cheaper per request than fetch here (see
 * scripts/bench/ops), which matters when every message is an event. Resolves with the status once the body is read.
 */
function post(url, headers, body, agents, timeoutMs, inFlight) {
    return new Promise((resolve, reject) => {
        const isHttps = url.protocol === 'https:';
        const req = (isHttps ? request : request$1)(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: isHttps ? agents.https : agents.http }, (res) => {
            // The body is not needed; reading it to the end frees the connection for the next delivery.
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
            res.on('error', reject);
        });
        inFlight.add(req);
        req.on('close', () => inFlight.delete(req));
        // Socket inactivity, not total time: a receiver that stops answering is cut after timeoutMs of silence.
        req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
        req.on('error', reject);
        req.end(body);
    });
}
/** Statuses worth retrying: the receiver is overloaded, restarting, or timed out. Other 4xx will not get better. */
const isRetryableStatus = (status) => status >= 500 || status === 408 || status === 429;
function createWebhookDispatcher(options) {
    validateWebhookEndpoints(options.endpoints);
    const { logger } = options;
    const now = options.now ?? Date.now;
    const maxAttempts = options.maxAttempts ?? 8;
    const baseDelayMs = options.baseDelayMs ?? 1000;
    const maxDelayMs = options.maxDelayMs ?? 5 * 60_000;
    const timeoutMs = options.timeoutMs ?? 10_000;
    const maxPending = options.maxPending ?? 10_000;
    const live = new Set();
    const timers = new Set();
    const inFlight = new Set();
    let starting = [];
    let startScheduled;
    const startPending = () => {
        startScheduled = undefined;
        const batch = starting;
        starting = [];
        for (const delivery of batch)
            void attempt(delivery);
    };
    // Parsed once per endpoint rather than per attempt.
    const urls = new Map(options.endpoints.map((e) => [e, new URL(e.url)]));
    let isClosed = false;
    const idleWaiters = [];
    const agents = {
        http: new Agent$1({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_HOST }),
        https: new Agent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_HOST }),
    };
    const settle = (delivery) => {
        live.delete(delivery);
        if (live.size === 0)
            for (const wake of idleWaiters.splice(0))
                wake();
    };
    async function attempt(delivery) {
        if (isClosed)
            return;
        delivery.attempt++;
        const timestamp = Math.floor(now() / 1000);
        const url = urls.get(delivery.endpoint);
        let failure;
        try {
            // Redirects are not followed: a 3xx is a refusal like any other non-retryable status.
            const status = await post(url, {
                'content-type': 'application/json',
                'user-agent': 'parley-webhooks/1',
                'parley-event': delivery.event,
                'parley-delivery': delivery.id,
                'parley-attempt': String(delivery.attempt),
                [SIGNATURE_HEADER]: signWebhook(delivery.endpoint.secret, timestamp, delivery.body),
            }, delivery.body, agents, timeoutMs, inFlight);
            if (status >= 200 && status < 300) {
                options.onOutcome?.(delivery.event, 'delivered');
                logger.debug('webhook.delivered', { deliveryId: delivery.id, event: delivery.event, attempt: delivery.attempt });
                settle(delivery);
                return;
            }
            if (!isRetryableStatus(status)) {
                options.onOutcome?.(delivery.event, 'failed');
                logger.warn('webhook.refused', { deliveryId: delivery.id, event: delivery.event, status, host: url.host });
                settle(delivery);
                return;
            }
            failure = `HTTP ${status}`;
        }
        catch (err) {
            failure = String(describeError(err).errorMessage);
        }
        if (isClosed)
            return;
        if (delivery.attempt >= maxAttempts) {
            options.onOutcome?.(delivery.event, 'failed');
            logger.error('webhook.gave_up', { deliveryId: delivery.id, event: delivery.event, attempts: delivery.attempt, failure });
            settle(delivery);
            return;
        }
        // Exponential backoff with jitter in the upper half, so many failed deliveries don't retry in lockstep.
        const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (delivery.attempt - 1));
        const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
        options.onOutcome?.(delivery.event, 'retried');
        logger.info('webhook.retry', { deliveryId: delivery.id, event: delivery.event, attempt: delivery.attempt, failure, delayMs: delay });
        const retry = setTimeout(() => {
            timers.delete(retry);
            void attempt(delivery);
        }, delay);
        timers.add(retry);
    }
    return {
        emit(event) {
            if (isClosed)
                return;
            // First attempts start on the next turn: the event came from a storage call whose caller (an ack, a reply)
            // should go out before the POSTs are built.
            startScheduled ??= setImmediate(startPending);
            const targets = options.endpoints.filter((e) => e.events === undefined || e.events.includes(event.type));
            if (targets.length === 0)
                return;
            const payload = { id: '', event: event.type, createdAt: now(), data: webhookData(event) };
            for (const endpoint of targets) {
                if (live.size >= maxPending) {
                    options.onOutcome?.(event.type, 'dropped');
                    logger.error('webhook.dropped', { event: event.type, pending: live.size });
                    continue;
                }
                // One id per endpoint delivery, stable across its retries, so receivers can deduplicate.
                const id = `wh_${randomUUID()}`;
                const delivery = { endpoint, event: event.type, id, body: JSON.stringify({ ...payload, id }), attempt: 0 };
                live.add(delivery);
                starting.push(delivery);
            }
        },
        pending: () => live.size,
        async close(timeoutMs = 0) {
            if (live.size > 0 && timeoutMs > 0) {
                let timer;
                await Promise.race([
                    new Promise((resolve) => idleWaiters.push(resolve)),
                    new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
                ]);
                clearTimeout(timer);
            }
            isClosed = true;
            if (startScheduled !== undefined)
                clearImmediate(startScheduled);
            starting = [];
            for (const timer of timers)
                clearTimeout(timer);
            timers.clear();
            for (const req of inFlight)
                req.destroy();
            agents.http.destroy();
            agents.https.destroy();
            if (live.size > 0)
                logger.warn('webhook.undelivered_at_shutdown', { count: live.size, deliveryIds: [...live].map((d) => d.id).slice(0, 100) });
            live.clear();
        },
    };
}

// Data protection: export everything stored about a visitor, erase it, and expire closed conversations after a
// retention period. Shared by the admin REST API and the CLI; storage does the deleting (privacy-store.ts).
const PAGE = 500;
/** Undefined for an unknown visitor. Reads every message, paging forward. */
async function exportVisitor(storage, visitorId, now = Date.now) {
    const visitor = await storage.getVisitor(visitorId);
    if (visitor === undefined)
        return undefined;
    const conversations = [];
    for (const id of await storage.listVisitorConversations(visitorId)) {
        const detail = await storage.getConversationDetail(id);
        if (detail === undefined)
            continue; // erased or expired between the two reads
        const messages = [];
        let afterSeq = 0;
        for (;;) {
            const page = await storage.listMessages({ conversationId: id, afterSeq, limit: PAGE });
            messages.push(...page.messages);
            if (!page.hasMore || page.messages.length === 0)
                break;
            afterSeq = page.messages[page.messages.length - 1].seq;
        }
        conversations.push({ ...detail, messages });
    }
    return { format: 'parley.visitor-export.v1', exportedAt: now(), visitor, conversations };
}
/** Erases and logs what was removed (counts only). Undefined for an unknown visitor. */
async function eraseVisitor(storage, visitorId, logger) {
    const result = await storage.eraseVisitor(visitorId);
    if (result !== undefined) {
        logger.info('gdpr.visitor_erased', {
            visitorId,
            conversations: result.conversations,
            messages: result.messages,
            attachments: result.attachmentUrls.length,
        });
    }
    return result;
}
const DAY_MS = 86_400_000;
/** Starts the periodic retention job; the first pass runs right away. */
function startRetention(options) {
    const { storage, logger } = options;
    const now = options.now ?? Date.now;
    const batchSize = options.batchSize ?? 500;
    let running;
    let isStopped = false;
    async function pass() {
        const closedBefore = now() - options.days * DAY_MS;
        const total = { conversations: 0, visitors: 0 };
        while (!isStopped) {
            const batch = await storage.applyRetention({ closedBefore, limit: batchSize });
            total.conversations += batch.conversations;
            total.visitors += batch.visitors;
            if (batch.conversations < batchSize)
                break;
        }
        if (total.conversations > 0 || total.visitors > 0)
            logger.info('retention.deleted', { ...total, days: options.days });
        return total;
    }
    const runOnce = () => {
        // One pass at a time; a tick that finds one running shares it.
        running ??= pass().finally(() => (running = undefined));
        return running;
    };
    const tick = () => {
        runOnce().catch((err) => logger.error('retention.failed', describeError(err)));
    };
    const timer = setInterval(tick, options.intervalMs ?? 60 * 60 * 1000);
    timer.unref();
    tick();
    return {
        runOnce,
        async stop() {
            isStopped = true;
            clearInterval(timer);
            await running?.catch(() => undefined);
        },
    };
}

// A site's FAQ: validates the Markdown an admin saves (every problem with its line) and compiles it into the file
// the widget loads, cached per saved version so serving it costs no rebuild.
/** Largest FAQ source accepted, in bytes (the storefront FAQ of 42 entries is about 12 kB). */
const MAX_FAQ_BYTES = 256 * 1024;
/** The typed error for an invalid FAQ: PROTOCOL_BAD_FRAME, with `details.problems` as `{ line, message }[]`. */
function faqInvalid(problems) {
    const first = problems[0];
    const summary = first === undefined ? 'the FAQ is invalid' : `line ${first.line}: ${first.message}`;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    return new ParleyError('PROTOCOL_BAD_FRAME', `the FAQ has errors: ${summary}${more}`, { details: { problems } });
}
/** The compiled FAQ (`@parley/faq/runtime` format) as JSON text; throws `faqInvalid` for bad Markdown. */
function compileFaqSource(source) {
    try {
        const doc = parseFaqMarkdown(source);
        if (doc.entries.length === 0)
            throw faqInvalid([{ line: 1, message: 'the FAQ has no entries (start one with "## Question?")' }]);
        return { json: JSON.stringify(compileIndex(buildIndex(doc.entries, { synonyms: doc.synonyms }))), entries: doc.entries.length };
    }
    catch (err) {
        if (err instanceof ParleyError$1) {
            const problems = Array.isArray(err.details?.problems) ? err.details.problems : [{ line: 0, message: err.message }];
            throw faqInvalid(problems);
        }
        throw err;
    }
}
/** Compiled FAQ JSON per site, rebuilt only when the saved version changes. */
function createCompiledFaqCache(maxSites = 1000) {
    const cache = new Map();
    return {
        get(faq) {
            const hit = cache.get(faq.siteId);
            if (hit !== undefined && hit.updatedAt === faq.updatedAt && hit.source === faq.source)
                return hit.json;
            const { json } = compileFaqSource(faq.source);
            if (cache.size >= maxSites)
                cache.delete(cache.keys().next().value);
            cache.set(faq.siteId, { updatedAt: faq.updatedAt, source: faq.source, json });
            return json;
        },
    };
}

// Validation of a site's public settings as an admin sends them: business hours, the widget theme and the rating
// scale. Pure; bad input throws ParleyError PROTOCOL_BAD_FRAME with a message that names the field.
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const COLOR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const MAX_GREETING_LENGTH = 500;
function bad(message) {
    return new ParleyError('PROTOCOL_BAD_FRAME', message);
}
function isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function isTimeZone(name) {
    try {
        new Intl.DateTimeFormat('en', { timeZone: name });
        return true;
    }
    catch {
        return false;
    }
}
/** `{ timezone, days: [{ day, open, close }] }`, one range per weekday (0 = Sunday), `open` before `close`. */
function parseBusinessHours(value) {
    if (!isObject(value))
        throw bad('businessHours must be an object { timezone, days }');
    const { timezone, days } = value;
    if (typeof timezone !== 'string' || timezone.length > 64 || !isTimeZone(timezone)) {
        throw bad('businessHours.timezone must be an IANA time zone such as "Europe/Lisbon"');
    }
    if (!Array.isArray(days) || days.length > 7)
        throw bad('businessHours.days must be a list of at most 7 days');
    const seen = new Set();
    const parsed = days.map((item, i) => {
        if (!isObject(item))
            throw bad(`businessHours.days[${i}] must be { day, open, close }`);
        const { day, open, close } = item;
        if (typeof day !== 'number' || !Number.isInteger(day) || day < 0 || day > 6)
            throw bad(`businessHours.days[${i}].day must be 0 (Sunday) to 6 (Saturday)`);
        if (seen.has(day))
            throw bad(`businessHours.days lists day ${day} twice`);
        seen.add(day);
        if (typeof open !== 'string' || !TIME.test(open) || typeof close !== 'string' || !TIME.test(close)) {
            throw bad(`businessHours.days[${i}]: open and close must be times like "09:00"`);
        }
        // HH:MM strings compare in time order.
        if (open >= close)
            throw bad(`businessHours.days[${i}]: open (${open}) must be before close (${close})`);
        return { day, open, close };
    });
    return { timezone, days: parsed.sort((a, b) => a.day - b.day) };
}
/** `{ color?, position?, greeting? }` with the widget's own names and values. */
function parseTheme(value) {
    if (!isObject(value))
        throw bad('theme must be an object { color?, position?, greeting? }');
    const unknown = Object.keys(value).filter((k) => k !== 'color' && k !== 'position' && k !== 'greeting');
    if (unknown.length > 0)
        throw bad(`theme has unknown fields: ${unknown.join(', ')}`);
    const theme = {};
    if (value.color !== undefined) {
        if (typeof value.color !== 'string' || !COLOR.test(value.color))
            throw bad('theme.color must be a hex colour like #0a7 or #00aa77');
        theme.color = value.color.toLowerCase();
    }
    if (value.position !== undefined) {
        if (value.position !== 'left' && value.position !== 'right')
            throw bad('theme.position must be "left" or "right"');
        theme.position = value.position;
    }
    if (value.greeting !== undefined) {
        if (typeof value.greeting !== 'string' || value.greeting.length > MAX_GREETING_LENGTH)
            throw bad(`theme.greeting must be at most ${MAX_GREETING_LENGTH} characters`);
        const greeting = value.greeting.trim();
        if (greeting !== '')
            theme.greeting = greeting;
    }
    return theme;
}
/** `"csat"` (1–5, the default), `"ces"` (1–7) or `"nps"` (0–10). */
function parseRatingScale(value) {
    if (!isRatingScale(value))
        throw bad('ratingScale must be "csat" (1–5), "ces" (1–7) or "nps" (0–10)');
    return value;
}

// The admin REST API under /api/admin: agents, sites, and a visitor's data (export, erasure). Every route needs
// an agent with role `admin` (others: 403 AUTH_FORBIDDEN). Admins run the whole installation, so they may act on
// any site. Must not touch sockets or SQL.
const SITE_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const MAX_ORIGINS = 100;
function badRequest(message) {
    return new ParleyError('PROTOCOL_BAD_FRAME', message);
}
/** An admin's view of a site: the identity secret is write-only. */
function publicSite(site) {
    return {
        id: site.id,
        key: site.key,
        allowedOrigins: site.allowedOrigins,
        requiresIdentity: site.requiresIdentity,
        hasIdentitySecret: site.identitySecret !== undefined,
        ...(site.businessHours === undefined ? {} : { businessHours: site.businessHours }),
        ...(site.theme === undefined ? {} : { theme: site.theme }),
        ratingScale: site.ratingScale ?? 'csat',
    };
}
function publicAgent(agent) {
    const out = { id: agent.id, siteId: agent.siteId, name: agent.name, role: agent.role, availability: agent.availability };
    if (agent.email !== undefined)
        out.email = agent.email;
    if (agent.avatarUrl !== undefined)
        out.avatarUrl = agent.avatarUrl;
    if ('disabled' in agent) {
        out.disabled = agent.disabled;
        out.createdAt = agent.createdAt;
    }
    return out;
}
function optionalString(body, key, max) {
    const value = body[key];
    if (value === undefined)
        return undefined;
    if (typeof value !== 'string' || value.length > max)
        throw badRequest(`${key} must be a string of at most ${max} characters`);
    return value;
}
function parseOrigins(value) {
    if (!Array.isArray(value) || value.length === 0 || value.length > MAX_ORIGINS) {
        throw badRequest(`allowedOrigins must be a list of 1–${MAX_ORIGINS} origins, or ["*"]`);
    }
    if (value.includes('*')) {
        if (value.length > 1)
            throw badRequest('"*" cannot be combined with other origins');
        return ['*'];
    }
    return value.map((item) => {
        if (typeof item !== 'string' || item.length > 2048)
            throw badRequest('every origin must be a string');
        let origin;
        try {
            origin = new URL(item).origin;
        }
        catch {
            throw badRequest(`"${item}" is not an origin like https://shop.example`);
        }
        if (origin !== item || origin === 'null')
            throw badRequest(`"${item}" should be written "${origin}" (scheme://host[:port], no path)`);
        return item;
    });
}
function parseIdentitySecret(value) {
    if (value === undefined)
        return undefined;
    if (typeof value !== 'string' || value.length < 32 || value.length > 1024)
        throw badRequest('identitySecret must be 32–1024 characters');
    return value;
}
function createAdminRouter(options) {
    const { storage, auth, logger, now } = options;
    async function siteFor(url, admin) {
        const key = url.searchParams.get('site');
        if (key === null || key === '') {
            const own = await storage.getSite(admin.siteId);
            if (own === undefined)
                throw new ParleyError('CONVERSATION_NOT_FOUND', 'no such site');
            return own;
        }
        const site = key.length > 64 ? undefined : await storage.getSiteByKey(key);
        if (site === undefined)
            throw badRequest(`no site with key "${key}"`);
        return site;
    }
    const listAgents = async (_req, res, url, _p, admin) => {
        const site = await siteFor(url, admin);
        sendJson(res, 200, { site: site.key, agents: (await storage.listAgents(site.id)).map(publicAgent) });
    };
    const createAgent = async (req, res, _url, _p, admin) => {
        const body = await readJsonBody(req);
        const name = optionalString(body, 'name', 512);
        if (name === undefined)
            throw badRequest('name is required');
        const role = body.role;
        if (role !== undefined && role !== 'agent' && role !== 'admin')
            throw badRequest('role must be "agent" or "admin"');
        const siteKey = optionalString(body, 'site', 64);
        const email = optionalString(body, 'email', 254);
        const password = optionalString(body, 'password', 1024);
        const avatarUrl = optionalString(body, 'avatarUrl', 2048);
        let created;
        try {
            created = await createAgentRecord(storage, {
                name,
                ...(siteKey === undefined ? { siteKey: (await storage.getSite(admin.siteId))?.key ?? 'demo' } : { siteKey }),
                ...(email === undefined ? {} : { email }),
                ...(password === undefined ? {} : { password }),
                ...(avatarUrl === undefined ? {} : { avatarUrl }),
                ...(role === undefined ? {} : { role }),
            });
        }
        catch (err) {
            // createAgentRecord speaks CLI (CONFIG_INVALID); over HTTP that is a bad request.
            if (err instanceof ParleyError && err.code === 'CONFIG_INVALID')
                throw badRequest(err.message);
            throw err;
        }
        logger.info('admin.agent_created', { by: admin.id, agentId: created.agent.id, role: created.agent.role });
        // The token is shown once, here; only its hash is stored.
        sendJson(res, 201, { agent: publicAgent(created.agent), token: created.token });
    };
    const disableAgent = async (_req, res, _url, [id], admin) => {
        const agentId = id ?? '';
        // An admin locking themselves out would leave nobody to undo it.
        if (agentId === admin.id)
            throw new ParleyError('AUTH_FORBIDDEN', 'you cannot disable yourself');
        if (agentId.length > DEFAULT_LIMITS.maxIdLength || !(await storage.disableAgent(agentId))) {
            sendJson(res, 404, { code: 'PROTOCOL_UNKNOWN_TYPE', message: 'no such agent' });
            return;
        }
        logger.info('admin.agent_disabled', { by: admin.id, agentId });
        await options.onAgentDisabled?.(agentId);
        sendJson(res, 200, { disabled: true, agentId });
    };
    const listSites = async (_req, res) => {
        sendJson(res, 200, { sites: (await storage.listSites()).map(publicSite) });
    };
    const createSite = async (req, res, _url, _p, admin) => {
        const body = await readJsonBody(req);
        const key = body.key;
        if (typeof key !== 'string' || !SITE_KEY.test(key))
            throw badRequest('key must be 1–64 letters, digits, _ or -, starting with a letter or digit');
        const identitySecret = parseIdentitySecret(body.identitySecret);
        const requiresIdentity = body.requiresIdentity;
        if (requiresIdentity !== undefined && typeof requiresIdentity !== 'boolean')
            throw badRequest('requiresIdentity must be true or false');
        if (requiresIdentity === true && identitySecret === undefined)
            throw badRequest('requiresIdentity needs an identitySecret');
        const input = {
            key,
            allowedOrigins: parseOrigins(body.allowedOrigins ?? ['*']),
            ...(identitySecret === undefined ? {} : { identitySecret }),
            ...(requiresIdentity === undefined ? {} : { requiresIdentity }),
            ...(body.businessHours === undefined ? {} : { businessHours: parseBusinessHours(body.businessHours) }),
            ...(body.theme === undefined ? {} : { theme: parseTheme(body.theme) }),
            ...(body.ratingScale === undefined ? {} : { ratingScale: parseRatingScale(body.ratingScale) }),
        };
        let site;
        try {
            site = await storage.createSite(input);
        }
        catch (err) {
            if (err instanceof ParleyError && err.code === 'STORAGE_CONFLICT') {
                sendJson(res, 409, { code: err.code, message: `a site with key "${key}" exists` });
                return;
            }
            throw err;
        }
        logger.info('admin.site_created', { by: admin.id, siteId: site.id, key: site.key });
        sendJson(res, 201, { site: publicSite(site) });
    };
    const updateSite = async (req, res, _url, [id], admin) => {
        const body = await readJsonBody(req);
        const patch = {};
        if (body.allowedOrigins !== undefined)
            patch.allowedOrigins = parseOrigins(body.allowedOrigins);
        if (body.identitySecret === null)
            patch.identitySecret = null;
        else if (body.identitySecret !== undefined)
            patch.identitySecret = parseIdentitySecret(body.identitySecret);
        if (body.requiresIdentity !== undefined) {
            if (typeof body.requiresIdentity !== 'boolean')
                throw badRequest('requiresIdentity must be true or false');
            patch.requiresIdentity = body.requiresIdentity;
        }
        if (body.businessHours !== undefined)
            patch.businessHours = body.businessHours === null ? null : parseBusinessHours(body.businessHours);
        if (body.theme !== undefined)
            patch.theme = body.theme === null ? null : parseTheme(body.theme);
        if (body.ratingScale !== undefined)
            patch.ratingScale = body.ratingScale === null ? null : parseRatingScale(body.ratingScale);
        const siteId = id ?? '';
        const before = siteId.length > DEFAULT_LIMITS.maxIdLength ? undefined : await storage.getSite(siteId);
        if (before === undefined) {
            sendJson(res, 404, { code: 'PROTOCOL_UNKNOWN_TYPE', message: 'no such site' });
            return;
        }
        const hasSecret = patch.identitySecret === undefined ? before.identitySecret !== undefined : patch.identitySecret !== null;
        if ((patch.requiresIdentity ?? before.requiresIdentity) && !hasSecret)
            throw badRequest('requiresIdentity needs an identitySecret');
        const site = await storage.updateSite(siteId, patch);
        if (site === undefined) {
            sendJson(res, 404, { code: 'PROTOCOL_UNKNOWN_TYPE', message: 'no such site' });
            return;
        }
        logger.info('admin.site_updated', { by: admin.id, siteId, fields: Object.keys(patch) });
        sendJson(res, 200, { site: publicSite(site) });
    };
    async function siteByKeyParam(key) {
        return key === undefined || key.length > 64 ? undefined : storage.getSiteByKey(key);
    }
    const getFaq = async (_req, res, _url, [key]) => {
        const site = await siteByKeyParam(key);
        if (site === undefined) {
            sendJson(res, 404, { code: 'PROTOCOL_UNKNOWN_TYPE', message: 'no such site' });
            return;
        }
        const faq = await storage.getSiteFaq(site.id);
        sendJson(res, 200, { site: site.key, source: faq?.source ?? '', updatedAt: faq?.updatedAt ?? null, publicUrl: `/faq/${site.key}.json` });
    };
    const putFaq = async (req, res, _url, [key], admin) => {
        const site = await siteByKeyParam(key);
        if (site === undefined) {
            sendJson(res, 404, { code: 'PROTOCOL_UNKNOWN_TYPE', message: 'no such site' });
            return;
        }
        // JSON escaping can double the size of the text; MAX_FAQ_BYTES bounds the text itself, below.
        const body = await readJsonBody(req, MAX_FAQ_BYTES * 2);
        const source = body.source;
        if (typeof source !== 'string')
            throw badRequest('source must be the FAQ as Markdown text');
        if (Buffer.byteLength(source) > MAX_FAQ_BYTES)
            throw badRequest(`the FAQ is over ${MAX_FAQ_BYTES / 1024} kB`);
        let entries;
        try {
            ({ entries } = compileFaqSource(source));
        }
        catch (err) {
            if (err instanceof ParleyError && Array.isArray(err.details?.problems)) {
                sendJson(res, 400, { code: err.code, message: err.message, problems: err.details.problems });
                return;
            }
            throw err;
        }
        const saved = await storage.putSiteFaq({ siteId: site.id, source });
        logger.info('admin.faq_saved', { by: admin.id, siteId: site.id, entries });
        sendJson(res, 200, { site: site.key, source: saved.source, updatedAt: saved.updatedAt, entries, publicUrl: `/faq/${site.key}.json` });
    };
    const exportOne = async (_req, res, _url, [id], admin) => {
        const visitorId = id ?? '';
        const data = visitorId.length > DEFAULT_LIMITS.maxIdLength ? undefined : await exportVisitor(storage, visitorId, now);
        if (data === undefined) {
            sendJson(res, 404, { code: 'PROTOCOL_UNKNOWN_TYPE', message: 'no such visitor' });
            return;
        }
        logger.info('gdpr.visitor_exported', { by: admin.id, visitorId, conversations: data.conversations.length });
        sendJson(res, 200, data, { 'content-disposition': `attachment; filename="parley-visitor-${visitorId.replace(/[^A-Za-z0-9_-]/g, '_')}.json"` });
    };
    const eraseOne = async (_req, res, _url, [id], admin) => {
        const visitorId = id ?? '';
        const result = visitorId.length > DEFAULT_LIMITS.maxIdLength ? undefined : await eraseVisitor(storage, visitorId, logger);
        if (result === undefined) {
            sendJson(res, 404, { code: 'PROTOCOL_UNKNOWN_TYPE', message: 'no such visitor' });
            return;
        }
        logger.info('admin.visitor_erased', { by: admin.id, visitorId });
        // The erasure is committed: what follows is best effort and must not turn the answer into an error.
        try {
            await options.onVisitorErased?.(visitorId);
        }
        catch (err) {
            logger.warn('gdpr.close_sockets_failed', { visitorId, ...describeError(err) });
        }
        let attachmentsDeleted;
        if (options.deleteAttachments !== undefined && result.attachmentUrls.length > 0) {
            try {
                await options.deleteAttachments(result.attachmentUrls);
                attachmentsDeleted = true;
            }
            catch (err) {
                attachmentsDeleted = false;
                logger.error('gdpr.attachments_delete_failed', { visitorId, count: result.attachmentUrls.length, ...describeError(err) });
            }
        }
        sendJson(res, 200, { erased: { ...result, ...(attachmentsDeleted === undefined ? {} : { attachmentsDeleted }) } });
    };
    const routes = [
        { method: 'GET', pattern: /^\/api\/admin\/agents$/, route: listAgents },
        { method: 'POST', pattern: /^\/api\/admin\/agents$/, route: createAgent },
        { method: 'POST', pattern: /^\/api\/admin\/agents\/([^/]+)\/disable$/, route: disableAgent },
        { method: 'GET', pattern: /^\/api\/admin\/sites$/, route: listSites },
        { method: 'POST', pattern: /^\/api\/admin\/sites$/, route: createSite },
        { method: 'PATCH', pattern: /^\/api\/admin\/sites\/([^/]+)$/, route: updateSite },
        { method: 'GET', pattern: /^\/api\/admin\/sites\/([^/]+)\/faq$/, route: getFaq },
        { method: 'PUT', pattern: /^\/api\/admin\/sites\/([^/]+)\/faq$/, route: putFaq },
        { method: 'GET', pattern: /^\/api\/admin\/visitors\/([^/]+)\/export$/, route: exportOne },
        { method: 'DELETE', pattern: /^\/api\/admin\/visitors\/([^/]+)$/, route: eraseOne },
    ];
    return async (req, res) => {
        try {
            const url = new URL(req.url ?? '/', 'http://localhost');
            // Authenticate before routing, so unauthenticated callers learn nothing about which admin routes exist.
            const { agent } = await auth.authenticate(req);
            if (agent.role !== 'admin')
                throw new ParleyError('AUTH_FORBIDDEN', 'this needs an admin');
            const matches = routes
                .map((r) => ({ ...r, found: r.pattern.exec(url.pathname) }))
                .filter((r) => r.found !== null);
            if (matches.length === 0)
                throw new ParleyError('PROTOCOL_UNKNOWN_TYPE', `no route ${url.pathname}`);
            const match = matches.find((r) => r.method === req.method);
            if (match === undefined) {
                const allow = [...new Set(matches.map((r) => r.method))].join(', ');
                sendJson(res, 405, { code: 'PROTOCOL_UNKNOWN_TYPE', message: `use ${allow}` }, { allow });
                return;
            }
            let params;
            try {
                params = match.found.slice(1).map((p) => decodeURIComponent(p));
            }
            catch {
                throw badRequest('malformed path');
            }
            await match.route(req, res, url, params, agent);
        }
        catch (err) {
            options.onError?.(err instanceof ParleyError ? err.code : 'SERVER_INTERNAL');
            if (res.headersSent) {
                logger.error('admin.failed_after_headers', describeError(err));
                res.destroy();
                return;
            }
            if (err instanceof ParleyError) {
                if (err.code === 'STORAGE_UNAVAILABLE')
                    logger.error('admin.storage_unavailable', describeError(err));
                sendError(res, err, err.code === 'AUTH_INVALID_TOKEN' ? { 'www-authenticate': 'Bearer' } : {});
                return;
            }
            logger.error('admin.internal', describeError(err));
            sendError(res, new ParleyError('SERVER_INTERNAL', 'internal error'));
        }
    };
}

// What any page may read about a site, without credentials: `GET /api/sites/:key/public` (theme, greeting,
// business hours; never secrets or origins) and the site's saved FAQ compiled for the widget at `/faq/:key.json`.
// Both are public and cacheable, so they answer with `Access-Control-Allow-Origin: *` like the asset folders.
// Every answer costs storage reads, so each client address has a token bucket (RATE_LIMITED, 429).
const PUBLIC_PATH = /^\/api\/sites\/([A-Za-z0-9][A-Za-z0-9_-]{0,63})\/public$/;
const FAQ_PATH = /^\/faq\/([A-Za-z0-9][A-Za-z0-9_-]{0,63})\.json$/;
/** Per client address: a page load needs two (config, FAQ); reloads and many tabs fit in the burst. */
const PUBLIC_RATE = { perSecond: 5, burst: 60 };
/** Buckets kept at most; the oldest address is forgotten first. */
const MAX_BUCKETS = 10_000;
const PUBLIC_HEADERS = {
    'access-control-allow-origin': '*',
    'cross-origin-resource-policy': 'cross-origin',
    'x-content-type-options': 'nosniff',
    // Revalidate on each use (cheap with the ETag), so an admin's change shows on the next page load.
    'cache-control': 'no-cache',
};
function sendPublic(req, res, text) {
    const etag = `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
    const headers = { ...PUBLIC_HEADERS, 'content-type': 'application/json; charset=utf-8', etag };
    if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers).end();
        return;
    }
    headers['content-length'] = String(Buffer.byteLength(text));
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : text);
}
function methodAllowed(req, res) {
    if (req.method === 'GET' || req.method === 'HEAD')
        return true;
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed');
    return false;
}
function createPublicSiteHandler(options) {
    const { storage, logger } = options;
    const now = options.now ?? Date.now;
    const compiled = createCompiledFaqCache();
    const buckets = new Map();
    /** False (and a 429 sent) when this address has used its budget. */
    function admit(req, res) {
        const address = req.socket.remoteAddress ?? 'unknown';
        let bucket = buckets.get(address);
        if (bucket === undefined) {
            if (buckets.size >= MAX_BUCKETS)
                buckets.delete(buckets.keys().next().value);
            buckets.set(address, (bucket = new TokenBucket(options.rate ?? PUBLIC_RATE, now())));
        }
        if (bucket.take(now()))
            return true;
        sendError(res, new ParleyError('RATE_LIMITED', 'too many requests; wait a few seconds', { retryable: true }), { ...PUBLIC_HEADERS, 'retry-after': '5' });
        return false;
    }
    return {
        ownsConfigPath: (path) => path.startsWith('/api/sites/') && path.endsWith('/public'),
        async serveConfig(req, res, path) {
            if (!methodAllowed(req, res) || !admit(req, res))
                return;
            const key = PUBLIC_PATH.exec(path)?.[1];
            try {
                const site = key === undefined ? undefined : await storage.getSiteByKey(key);
                if (site === undefined) {
                    sendError(res, new ParleyError('PROTOCOL_UNKNOWN_TYPE', 'no such site'), PUBLIC_HEADERS);
                    return;
                }
                const faq = await storage.getSiteFaq(site.id);
                const body = { key: site.key };
                if (site.theme !== undefined)
                    body.theme = site.theme;
                if (site.businessHours !== undefined)
                    body.businessHours = site.businessHours;
                if (faq !== undefined)
                    body.faqUrl = `/faq/${site.key}.json`;
                sendPublic(req, res, JSON.stringify(body));
            }
            catch (err) {
                logger.error('public_site.failed', describeError(err));
                sendError(res, err instanceof ParleyError && err.code === 'STORAGE_UNAVAILABLE' ? err : new ParleyError('SERVER_INTERNAL', 'internal error'), PUBLIC_HEADERS);
            }
        },
        async serveFaq(req, res, path) {
            const key = FAQ_PATH.exec(path)?.[1];
            if (key === undefined)
                return false;
            if (!admit(req, res))
                return true;
            const site = await storage.getSiteByKey(key);
            const faq = site === undefined ? undefined : await storage.getSiteFaq(site.id);
            if (faq === undefined)
                return false;
            if (!methodAllowed(req, res))
                return true;
            sendPublic(req, res, compiled.get(faq));
            return true;
        },
    };
}

// Which file type a byte prefix is, from magic numbers only: the declared Content-Type is the sender's claim.
/** Types an upload may be. SVG is deliberately absent: it is a document that can carry script, not an image. */
const UPLOAD_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'application/zip', 'text/plain', 'text/csv'];
/** Bytes the sniffer needs to see before it can decide on a binary type. */
const SNIFF_BYTES = 16;
const startsWith = (head, bytes, at = 0) => bytes.every((b, i) => head[at + i] === b);
const ascii = (text) => [...text].map((c) => c.charCodeAt(0));
/** The binary type whose signature opens `head`, or undefined (maybe text, maybe unknown). */
function sniffBinary(head) {
    if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
        return 'image/png';
    if (startsWith(head, [0xff, 0xd8, 0xff]))
        return 'image/jpeg';
    if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a')))
        return 'image/gif';
    if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8))
        return 'image/webp';
    if (startsWith(head, ascii('%PDF-')))
        return 'application/pdf';
    // A local file header, or the end record of an empty archive.
    if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06]))
        return 'application/zip';
    return undefined;
}
/** Text uploads have no signature: they are whatever valid UTF-8 without NUL bytes, and named for their kind. */
function textTypeFor(declared, fileName) {
    const base = declared.split(';')[0].trim().toLowerCase();
    if (base === 'text/plain' || base === 'text/csv')
        return base;
    const ext = /\.([a-z0-9]{1,8})$/i.exec(fileName)?.[1]?.toLowerCase();
    if (ext === 'txt' || ext === 'log')
        return 'text/plain';
    if (ext === 'csv')
        return 'text/csv';
    return undefined;
}
/**
 * Checks that a whole upload is acceptable text, chunk by chunk: valid UTF-8 and no NUL byte (which would mean a
 * binary file renamed to .txt).
 */
class TextCheck {
    decoder = new TextDecoder('utf-8', { fatal: true });
    valid = true;
    push(chunk) {
        if (!this.valid)
            return;
        if (chunk.includes(0)) {
            this.valid = false;
            return;
        }
        try {
            this.decoder.decode(chunk, { stream: true });
        }
        catch {
            this.valid = false;
        }
    }
    finish() {
        if (!this.valid)
            return false;
        try {
            this.decoder.decode();
            return true;
        }
        catch {
            return false;
        }
    }
}
const isImageType = (mime) => mime === 'image/png' || mime === 'image/jpeg' || mime === 'image/gif' || mime === 'image/webp';

// `POST /api/uploads` (raw body, visitor or agent bearer token) and `GET /uploads/<id>`. The size limit is enforced
// while the body streams, the type is decided by the bytes, and files are served so a browser can never run them.
/** 10 MB: a phone photo or a scanned invoice, not a video. */
const DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
/** Per uploader: 10 at once, then one every 3 s. Each IP gets ten uploaders' worth. */
const DEFAULT_UPLOAD_RATE = { perSecond: 1 / 3, burst: 10 };
const MAX_NAME_LENGTH = 255;
const FILENAME_HEADER = 'x-parley-filename';
/** A file name as plain text: no path, no control characters, bounded. The bytes never depend on it. */
function cleanFileName(raw) {
    let name = '';
    try {
        name = decodeURIComponent(raw ?? '');
    }
    catch {
        name = '';
    }
    // eslint-disable-next-line no-control-regex
    name = name.replace(/[\u0000-\u001f\u007f]/g, '').split(/[/\\]/).pop().trim();
    return [...name].slice(0, MAX_NAME_LENGTH).join('') || 'file';
}
function createUploadRoutes(options) {
    const { store, logger, now } = options;
    const subjectBuckets = new KeyedBuckets(options.rate);
    const ipBuckets = new KeyedBuckets({ perSecond: options.rate.perSecond * 10, burst: options.rate.burst * 10 });
    const exempt = new Set(options.exemptAddresses ?? []);
    const corsHeaders = (req) => {
        const origin = req.headers.origin;
        if (typeof origin !== 'string')
            return {};
        const list = options.allowedOrigins;
        const allowed = list === '*' || list.includes(origin) || options.consoleOrigins.includes(origin);
        if (!allowed)
            return { vary: 'Origin' };
        return { 'access-control-allow-origin': list === '*' ? '*' : origin, vary: 'Origin' };
    };
    const fail = (req, res, error, extra = {}) => {
        options.onError?.(error.code);
        sendError(res, error, { ...corsHeaders(req), ...extra });
    };
    /** Visitor tokens are checked first (no storage read when the signature fails), then agent tokens. */
    const authenticate = async (req) => {
        const match = /^Bearer ([A-Za-z0-9._~+/=-]{1,1024})$/.exec(req.headers.authorization ?? '');
        if (match === null)
            throw new ParleyError('AUTH_INVALID_TOKEN', 'send Authorization: Bearer <visitor or agent token>');
        try {
            const claims = options.tokens.verify(match[1]);
            const visitor = await options.storage.getVisitor(claims.sub);
            if (visitor === undefined)
                throw new ParleyError('AUTH_INVALID_TOKEN', 'the token is not valid');
            return visitor.id;
        }
        catch (err) {
            if (err instanceof ParleyError && err.code === 'AUTH_EXPIRED_TOKEN')
                throw err;
        }
        return (await options.auth.authenticate(req)).agent.id;
    };
    const upload = async (req, res) => {
        let owner;
        try {
            owner = await authenticate(req);
        }
        catch (err) {
            req.resume();
            throw err;
        }
        const address = clientAddress(req);
        const at = now();
        if (!subjectBuckets.take(owner, at) || (!exempt.has(address) && !ipBuckets.take(rateKeyFor(address), at))) {
            req.resume();
            throw new ParleyError('RATE_LIMITED', 'too many uploads; wait a few seconds', { retryable: true });
        }
        const declaredLength = Number(req.headers['content-length'] ?? NaN);
        if (declaredLength > options.maxBytes)
            throw tooLarge(options.maxBytes);
        const name = cleanFileName(req.headers[FILENAME_HEADER]);
        const declared = String(req.headers['content-type'] ?? '');
        const pending = store.begin();
        const text = new TextCheck();
        let head = Buffer.alloc(0);
        let size = 0;
        try {
            for await (const chunk of req) {
                size += chunk.length;
                if (size > options.maxBytes)
                    throw tooLarge(options.maxBytes);
                if (head.length < SNIFF_BYTES)
                    head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
                text.push(chunk);
                if (!pending.stream.write(chunk))
                    await new Promise((resolve) => pending.stream.once('drain', () => resolve()));
            }
            await new Promise((resolve, reject) => pending.stream.end((err) => (err ? reject(err) : resolve())));
            if (size === 0)
                throw new ParleyError('ATTACHMENT_TYPE_REFUSED', 'the file is empty');
            const binary = sniffBinary(head);
            const mime = binary ?? (text.finish() ? textTypeFor(declared, name) : undefined);
            if (mime === undefined || !options.allowedTypes.includes(mime)) {
                throw new ParleyError('ATTACHMENT_TYPE_REFUSED', `this kind of file is not accepted; allowed: ${options.allowedTypes.join(', ')}`);
            }
            const claimed = declared.split(';')[0].trim().toLowerCase();
            // A declared type that disagrees with the bytes is refused rather than silently corrected: it is a disguised file.
            if (claimed !== '' && claimed !== 'application/octet-stream' && claimed !== mime && !(mime.startsWith('text/') && claimed.startsWith('text/'))) {
                throw new ParleyError('ATTACHMENT_TYPE_REFUSED', `the file is not ${claimed}`);
            }
            const url = `${baseUrl(req)}/uploads/${pending.id}`;
            const stored = await pending.commit({ name, mime, size, url, owner, createdAt: now() });
            const attachment = { name: stored.name, mime: stored.mime, size: stored.size, url: stored.url };
            logger.info('upload.stored', { id: stored.id, mime, size });
            sendJson(res, 201, { attachment }, corsHeaders(req));
        }
        catch (err) {
            await pending.discard();
            throw err;
        }
    };
    const baseUrl = (req) => {
        if (options.publicUrl !== undefined)
            return options.publicUrl.replace(/\/+$/, '');
        const host = req.headers.host ?? '';
        if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host))
            throw new ParleyError('PROTOCOL_BAD_FRAME', 'bad Host header');
        return `http://${host}`;
    };
    const serve = async (req, res, id) => {
        const record = await store.get(id);
        if (record === undefined) {
            res.writeHead(404, { 'content-type': 'text/plain', ...corsHeaders(req) }).end('not found');
            return;
        }
        const inline = isImageType(record.mime);
        const headers = {
            'content-type': record.mime.startsWith('text/') ? `${record.mime}; charset=utf-8` : record.mime,
            'content-length': String(record.size),
            'x-content-type-options': 'nosniff',
            'content-security-policy': 'sandbox; default-src \'none\'',
            // Storefront pages embed the thumbnails: allow cross-origin embedding explicitly.
            'cross-origin-resource-policy': 'cross-origin',
            'cache-control': 'private, max-age=300',
            'content-disposition': `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(record.name)}`,
            ...corsHeaders(req),
        };
        res.writeHead(200, headers);
        if (req.method === 'HEAD') {
            res.end();
            return;
        }
        const stream = store.open(id);
        stream.on('error', (err) => {
            logger.error('upload.read_failed', { id, ...describeError(err) });
            res.destroy();
        });
        stream.pipe(res);
    };
    return {
        owns: (path) => path === '/api/uploads' || path.startsWith('/uploads/'),
        async handle(req, res, path) {
            try {
                if (req.method === 'OPTIONS') {
                    res.writeHead(204, {
                        ...corsHeaders(req),
                        'access-control-allow-methods': 'POST, GET',
                        'access-control-allow-headers': `authorization, content-type, ${FILENAME_HEADER}`,
                        'access-control-max-age': '600',
                    });
                    res.end();
                    return;
                }
                if (path === '/api/uploads') {
                    if (req.method !== 'POST')
                        throw new ParleyError('PROTOCOL_UNKNOWN_TYPE', 'POST the file to /api/uploads');
                    await upload(req, res);
                    return;
                }
                if (req.method !== 'GET' && req.method !== 'HEAD')
                    throw new ParleyError('PROTOCOL_UNKNOWN_TYPE', 'GET an upload');
                await serve(req, res, path.slice('/uploads/'.length));
            }
            catch (err) {
                if (res.headersSent) {
                    res.destroy();
                    return;
                }
                if (err instanceof ParleyError && err.code === 'ATTACHMENT_TOO_LARGE') {
                    // Answer now and close: reading the rest of an oversized body would spend what the limit protects.
                    fail(req, res, err, { connection: 'close' });
                    res.once('finish', () => req.destroy());
                    return;
                }
                if (err instanceof ParleyError) {
                    req.resume();
                    fail(req, res, err, err.code === 'RATE_LIMITED' ? { 'retry-after': '5' } : {});
                    return;
                }
                throw err;
            }
        },
        sweep() {
            const at = now();
            subjectBuckets.sweep(at);
            ipBuckets.sweep(at);
        },
    };
}
function tooLarge(maxBytes) {
    return new ParleyError('ATTACHMENT_TOO_LARGE', `files may be at most ${Math.floor(maxBytes / (1024 * 1024) * 10) / 10} MB`, { details: { maxBytes } });
}

// Where uploads are kept and what they may be, from createServer's options: one place decides the defaults.
function resolveUploads(options, dbPath) {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1)
        throw new ParleyError('CONFIG_INVALID', 'uploads.maxBytes must be a positive whole number of bytes');
    const allowedTypes = options.allowedTypes ?? UPLOAD_TYPES;
    for (const type of allowedTypes) {
        if (!UPLOAD_TYPES.includes(type))
            throw new ParleyError('CONFIG_INVALID', `uploads.allowedTypes: ${type} is not one of ${UPLOAD_TYPES.join(', ')}`);
    }
    if (options.publicUrl !== undefined && !/^https?:\/\/[^/?#]+\/?$/.test(options.publicUrl)) {
        throw new ParleyError('CONFIG_INVALID', 'uploads.publicUrl must be an origin like https://chat.example');
    }
    const persistent = options.dir ?? (dbPath !== undefined && dbPath !== ':memory:' ? join(dirname(dbPath), 'uploads') : undefined);
    const dir = persistent ?? mkdtempSync(join(tmpdir(), 'parley-uploads-'));
    return {
        store: createDiskUploadStore(dir),
        maxBytes,
        allowedTypes,
        rate: options.rate ?? DEFAULT_UPLOAD_RATE,
        ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
        dispose: () => {
            if (persistent === undefined)
                rmSync(dir, { recursive: true, force: true });
        },
    };
}

// The HTTP side: /healthz, /readyz, /metrics, WebSocket upgrade on /ws/visitor and /ws/agent (origin check, 503 while draining),
// heartbeat sweep, graceful shutdown. Hands every socket to a Connection and /api, /console to src/http/;
// knows no frame semantics.
/** Console login sessions last one working day; agents log in again the next. */
const DEFAULT_AGENT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** How long a new socket may stay without a successful `hello` (unauthenticated) before it is closed with 4003. */
const DEFAULT_HELLO_TIMEOUT_MS = 10_000;
const ENDPOINTS = { '/ws/visitor': 'visitor', '/ws/agent': 'agent' };
/** Room over maxFrameBytes so a slightly large frame reaches the decoder and gets an error frame before the 1009. */
const PAYLOAD_SLACK_BYTES = 1024;
function rejectUpgrade(socket, status, text, headers = {}) {
    const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
    const reason = STATUS_CODES[status] ?? 'Error';
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n${extra}Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
}
/**
 * Builds a Parley server. Nothing listens until `listen()`.
 * @example
 * const server = createServer({ dbPath: './parley.db', secret: process.env.PARLEY_SECRET });
 * const { url } = await server.listen(8080);
 */
function createServer(options = {}) {
    const logger = options.logger ?? createJsonLogger({ level: 'info' });
    const now = options.now ?? Date.now;
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    for (const key of Object.keys(DEFAULT_LIMITS)) {
        if (!(limits[key] > 0) || limits[key] > DEFAULT_LIMITS[key]) {
            throw new ParleyError('CONFIG_INVALID', `limits.${key} must be in (0, ${DEFAULT_LIMITS[key]}]`);
        }
    }
    const rates = { ...DEFAULT_RATES, ...options.rates };
    // Raising the per-connection message rate raises the shared ones with it unless they are set too: one sender's
    // sockets together get what one socket gets, and an address gets ten senders' worth.
    if (options.rates?.messages !== undefined) {
        const { perSecond, burst } = options.rates.messages;
        rates.subjectMessages = options.rates.subjectMessages ?? { perSecond, burst };
        rates.ipMessages = options.rates.ipMessages ?? { perSecond: perSecond * 10, burst: burst * 10 };
    }
    const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    const helloTimeoutMs = options.helloTimeoutMs ?? DEFAULT_HELLO_TIMEOUT_MS;
    let secret = options.secret;
    if (secret === undefined) {
        logger.warn('config.ephemeral_secret', { note: 'no secret given: visitor tokens will not survive a restart' });
        secret = generateSecret();
    }
    const tokens = createVisitorTokens({ secret, ttlMs: options.visitorTokenTtlMs, now });
    const ownsStorage = options.storage === undefined;
    const baseStorage = options.storage ?? createSqliteStorage({ path: options.dbPath ?? ':memory:', now });
    const metrics = createServerMetrics({ connections: () => countByRole(), queues: () => queueSnapshots(), now });
    const webhooks = options.webhooks === undefined || options.webhooks.endpoints.length === 0
        ? undefined
        : createWebhookDispatcher({ ...options.webhooks, logger, onOutcome: (event, outcome) => metrics.countWebhook(event, outcome) });
    // Metrics and webhooks hear about every effective change, whoever made it (handlers, REST, routing).
    const storage = observeStorage(baseStorage, (event) => {
        metrics.onEvent(event);
        webhooks?.emit(event);
    }, now);
    const ownsFanout = options.fanout === undefined;
    const fanout = options.fanout ?? createMemoryFanout({ onListenerError: (err, topic) => logger.error('fanout.listener_failed', { topic, ...describeError(err) }) });
    const allowedOrigins = options.allowedOrigins ?? '*';
    const handshakeGate = createHandshakeGate({ storage, allowedOrigins, consoleOrigins: options.consoleOrigins ?? [], handshakes: rates.handshakes, exemptAddresses: options.rateExemptAddresses, maxConnectionsPerAddress: options.maxConnectionsPerAddress });
    const sharedLimits = createSharedLimits(rates, options.rateExemptAddresses);
    // Per visitor, not per socket: opening more sockets must not buy more conversations.
    const startBuckets = new Map();
    // Names this process's presence leases: a node that dies leaves leases nobody renews, which lapse.
    const nodeId = `n_${randomUUID()}`;
    const uploadSetup = resolveUploads(options.uploads ?? {}, options.storage === undefined ? (options.dbPath ?? ':memory:') : undefined);
    const services = {
        storage,
        fanout,
        tokens,
        limits,
        logger,
        presence: new AgentPresence({ storage, nodeId, now, logger }),
        // Replaced right below: the router needs the finished services object.
        router: undefined,
        heartbeatMs,
        now,
        countError: (code) => metrics.countError(code, 'ws'),
        uploads: uploadSetup.store,
        takeConversationStart(visitorId) {
            let bucket = startBuckets.get(visitorId);
            if (bucket === undefined)
                startBuckets.set(visitorId, (bucket = new TokenBucket(rates.conversationStarts, now())));
            return bucket.take(now());
        },
    };
    services.router = new Router(services, options.routing);
    services.router.start();
    const auth = createConsoleAuth({
        storage,
        now,
        sessionTtlMs: options.agentSessionTtlMs ?? DEFAULT_AGENT_SESSION_TTL_MS,
        loginRate: rates.logins,
        // A logout revokes that session's token: sockets that authenticated with it close too (4001), others stay.
        onSessionEnded: (tokenHash) => fanout.publish(credentialTopic(tokenHash), { frame: { type: 'error', code: 'AUTH_INVALID_TOKEN', message: 'this session was logged out' } }),
    });
    const api = createApiRouter({ storage, auth, logger, now, onError: (code) => metrics.countError(code, 'http'), liveSince: () => services.router.liveSince() });
    // Every live socket of the agent, on every node sharing the fanout, gets the error and closes with 4001.
    const closeAgentSockets = (agentId) => fanout.publish(agentTopic(agentId), { frame: { type: 'error', code: 'AUTH_INVALID_TOKEN', message: 'your access was revoked' } });
    const admin = createAdminRouter({
        storage,
        auth,
        logger,
        now,
        onError: (code) => metrics.countError(code, 'http'),
        onAgentDisabled: closeAgentSockets,
        // An erased visitor's open sockets (on every node) end now rather than act for a visitor who no longer exists.
        onVisitorErased: (visitorId) => fanout.publish(visitorTopic(visitorId), { frame: { type: 'error', code: 'AUTH_INVALID_TOKEN', message: 'this visitor was erased' } }),
        deleteAttachments: options.deleteAttachments ??
            (async (urls) => {
                await uploadSetup.store.deleteByUrls(urls);
            }),
    });
    const uploads = createUploadRoutes({
        store: uploadSetup.store,
        storage,
        tokens,
        auth,
        logger,
        now,
        maxBytes: uploadSetup.maxBytes,
        allowedTypes: uploadSetup.allowedTypes,
        rate: uploadSetup.rate,
        ...(uploadSetup.publicUrl === undefined ? {} : { publicUrl: uploadSetup.publicUrl }),
        allowedOrigins,
        consoleOrigins: options.consoleOrigins ?? [],
        ...(options.rateExemptAddresses === undefined ? {} : { exemptAddresses: options.rateExemptAddresses }),
        onError: (code) => metrics.countError(code, 'http'),
    });
    if (options.retentionDays !== undefined && !(options.retentionDays > 0 && options.retentionDays <= 36_500)) {
        throw new ParleyError('CONFIG_INVALID', 'retentionDays must be a number of days in (0, 36500]');
    }
    const publicSite = createPublicSiteHandler({ storage, logger });
    const serveConsole = options.consoleDir === undefined ? undefined : createStaticHandler({ dir: options.consoleDir, prefix: '/console/' });
    const assetHandlers = Object.entries(options.assetDirs ?? {}).map(([prefix, dir]) => {
        const slashed = prefix.endsWith('/') ? prefix : `${prefix}/`;
        return { prefix: slashed, serve: createStaticHandler({ dir, prefix: slashed, isPublicAsset: true }) };
    });
    const ownsHttp = options.httpServer === undefined;
    const httpServer = options.httpServer ?? createServer$1();
    const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes + PAYLOAD_SLACK_BYTES, perMessageDeflate: false });
    const connections = new Set();
    const connectionRoles = new Map();
    const countByRole = () => {
        const counts = { visitor: 0, agent: 0 };
        for (const role of connectionRoles.values())
            counts[role === 'visitor' ? 'visitor' : 'agent']++;
        return counts;
    };
    const queueSnapshots = async () => Promise.all((await storage.listSites()).map(async (site) => {
        const queue = await storage.listQueue(site.id);
        return { siteKey: site.key, length: queue.length, oldestQueuedAt: queue[0]?.queuedAt };
    }));
    const probes = createHealthHandler({
        isDraining: () => isShuttingDown,
        logger,
        checks: {
            storage: () => storage.getDefaultSite(),
            // A publish nobody listens to: it fails (FANOUT_UNAVAILABLE) only when the transport is down.
            fanout: () => fanout.publish('parley:readyz', { frame: { type: 'pong' } }),
        },
    });
    const serveMetrics = createMetricsEndpoint({ render: () => metrics.render(), ...(options.metricsToken === undefined ? {} : { token: options.metricsToken }) });
    let isShuttingDown = false;
    let closing;
    const onRequest = (req, res) => {
        let path;
        try {
            path = new URL(req.url ?? '/', 'http://localhost').pathname;
        }
        catch {
            // A request target URL cannot parse (e.g. `http://[`): answer it rather than throw out of the listener.
            res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request');
            return;
        }
        const fail = (err) => {
            logger.error('http.failed', describeError(err));
            if (!res.headersSent)
                res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
            else
                res.destroy();
        };
        if (path === '/healthz' || path === '/readyz') {
            probes(req, res, path).catch(fail);
            return;
        }
        if (path === '/metrics') {
            serveMetrics(req, res).catch(fail);
            return;
        }
        if (path === '/api/admin' || path.startsWith('/api/admin/')) {
            admin(req, res).catch(fail);
            return;
        }
        if (uploads.owns(path)) {
            uploads.handle(req, res, path).catch(fail);
            return;
        }
        if (publicSite.ownsConfigPath(path)) {
            publicSite.serveConfig(req, res, path).catch(fail);
            return;
        }
        if (path === '/api' || path.startsWith('/api/')) {
            api(req, res).catch(fail);
            return;
        }
        if (serveConsole !== undefined && (path === '/console' || path.startsWith('/console/'))) {
            serveConsole(req, res).catch(fail);
            return;
        }
        const asset = assetHandlers.find((a) => path.startsWith(a.prefix));
        const serveFile = () => {
            if (asset !== undefined)
                return asset.serve(req, res);
            res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
            return Promise.resolve();
        };
        if (path.startsWith('/faq/')) {
            // A FAQ saved in the console wins over a file of the same name in an asset folder.
            publicSite
                .serveFaq(req, res, path)
                .then((served) => (served ? undefined : serveFile()))
                .catch(fail);
            return;
        }
        serveFile().catch(fail);
    };
    // One listener for every socket: a closure made inside onUpgrade would hold that scope's request and head buffer
    // for the life of the socket (about 2 KiB per idle visitor).
    const onUpgradeSocketError = (err) => logger.debug('upgrade.socket_error', describeError(err));
    const onUpgrade = (req, socket, head) => {
        socket.on('error', onUpgradeSocketError);
        let path;
        try {
            path = new URL(req.url ?? '/', 'http://localhost').pathname;
        }
        catch {
            path = '';
        }
        const role = ENDPOINTS[path];
        if (role === undefined) {
            // On a shared server other upgrade listeners may own this path.
            if (ownsHttp)
                rejectUpgrade(socket, 404, 'Not Found');
            return;
        }
        if (isShuttingDown) {
            rejectUpgrade(socket, 503, 'Service Unavailable');
            return;
        }
        const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
        handshakeGate.check(req, role, now()).then((refusal) => {
            if (refusal !== undefined) {
                const fields = { role, origin, code: refusal.code, status: refusal.status };
                // A flood is thousands of refusals: those log at debug, so the log does not become the attack's amplifier.
                if (refusal.code === 'RATE_LIMITED')
                    logger.debug('upgrade.refused', fields);
                else
                    logger.info('upgrade.refused', fields);
                rejectUpgrade(socket, refusal.status, refusal.text, refusal.headers);
            }
            else if (isShuttingDown)
                rejectUpgrade(socket, 503, 'Service Unavailable');
            else
                acceptUpgrade(req, socket, head, role, origin);
        }, (err) => {
            logger.error('upgrade.check_failed', describeError(err));
            rejectUpgrade(socket, 503, 'Service Unavailable');
        });
    };
    const acceptUpgrade = (req, socket, head, role, origin) => {
        const address = clientAddress(req);
        wss.handleUpgrade(req, socket, head, (ws) => openConnection(ws, role, origin, address));
    };
    const serverIsShuttingDown = () => isShuttingDown;
    // Its own function, not a closure inside the upgrade callback: the connection's callbacks would otherwise keep
    // that scope's request, socket and head buffer alive for the life of every socket (RSS per idle visitor).
    const openConnection = (ws, role, origin, address) => {
        handshakeGate.opened(address);
        const connection = new Connection({
            ws,
            endpointRole: role,
            origin,
            services,
            rates,
            helloTimeoutMs,
            remoteAddress: address,
            sharedLimits,
            isShuttingDown: serverIsShuttingDown,
            onClose: (c) => {
                handshakeGate.closed(address);
                connections.delete(c);
                connectionRoles.delete(c);
            },
        });
        connections.add(connection);
        connectionRoles.set(connection, role);
        if (isShuttingDown)
            connection.close(CloseCode.GOING_AWAY, 'server shutting down');
    };
    if (ownsHttp)
        httpServer.on('request', onRequest);
    httpServer.on('upgrade', onUpgrade);
    // One sweep for all sockets: ping, and drop those that missed two pings in a row.
    const heartbeat = setInterval(() => {
        const at = now();
        for (const connection of connections) {
            if (connection.missedPongs >= 2) {
                logger.info('socket.heartbeat_missed', { connectionId: connection.id });
                connection.terminate();
            }
            else
                connection.ping();
        }
        for (const [visitorId, bucket] of startBuckets)
            if (bucket.isFull(at))
                startBuckets.delete(visitorId);
        auth.sweep();
        uploads.sweep();
        handshakeGate.sweep(at);
        sharedLimits.sweep(at);
    }, heartbeatMs);
    heartbeat.unref();
    const retention = options.retentionDays === undefined ? undefined : startRetention({ storage, days: options.retentionDays, logger, now });
    async function shutdown(graceMs) {
        isShuttingDown = true;
        clearInterval(heartbeat);
        logger.info('server.draining', { connections: connections.size });
        let graceTimer;
        const grace = new Promise((resolve) => (graceTimer = setTimeout(resolve, graceMs)));
        await Promise.race([Promise.all([...connections].map((c) => c.idle())), grace]);
        clearTimeout(graceTimer);
        try {
            await services.router.stop();
            await storage.drain();
        }
        catch (err) {
            logger.error('server.drain_failed', describeError(err));
        }
        for (const connection of [...connections])
            connection.close(CloseCode.GOING_AWAY, 'server shutting down');
        // Give peers a moment to answer the close handshake, then cut whatever is left.
        await new Promise((resolve) => {
            const deadline = setTimeout(resolve, 1000);
            const check = setInterval(() => {
                if ([...wss.clients].every((ws) => ws.readyState === ws.CLOSED)) {
                    clearTimeout(deadline);
                    clearInterval(check);
                    resolve();
                }
            }, 10);
            setTimeout(() => clearInterval(check), 1000);
        });
        for (const ws of wss.clients)
            ws.terminate();
        httpServer.off('upgrade', onUpgrade);
        await new Promise((resolve) => wss.close(() => resolve()));
        if (ownsHttp) {
            httpServer.off('request', onRequest);
            await new Promise((resolve) => {
                if (!httpServer.listening)
                    return resolve();
                httpServer.close(() => resolve());
                httpServer.closeAllConnections();
            });
        }
        await retention?.stop();
        // Deliveries still retrying get a short grace; whatever remains is logged as undelivered.
        await webhooks?.close(Math.min(graceMs, 2000));
        // The closed sockets' presence leases are removed before the storage goes: agents are gone, not "stale".
        await services.presence.settled();
        if (ownsFanout)
            await fanout.close();
        if (ownsStorage)
            await storage.close();
        uploadSetup.dispose();
        logger.info('server.closed');
    }
    return {
        httpServer,
        storage,
        fanout,
        listen(port = 0, host) {
            return new Promise((resolve, reject) => {
                const onError = (err) => reject(err);
                httpServer.once('error', onError);
                httpServer.listen(port, host, () => {
                    httpServer.off('error', onError);
                    const address = httpServer.address();
                    const actualPort = typeof address === 'object' && address !== null ? address.port : port;
                    const urlHost = host === undefined || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
                    resolve({ port: actualPort, url: `http://${urlHost}:${actualPort}` });
                });
            });
        },
        close({ graceMs = 10_000 } = {}) {
            closing ??= shutdown(graceMs);
            return closing;
        },
        createAgent: (input) => createAgentRecord(storage, input),
        connectionCount: () => connections.size,
        async revokeAgent(agentId) {
            if (!(await storage.revokeAgentCredentials(agentId)))
                return false;
            logger.info('agent.revoked', { agentId });
            await closeAgentSockets(agentId);
            return true;
        },
        metrics,
        handleRequest: onRequest,
    };
}

// Redis pub/sub Fanout for many nodes: one publisher and one subscriber connection, local listeners per topic.
// Must not hold frames, retry publishes or persist anything: storage is the source of truth, fanout is best effort.
function unavailable$1(cause, message = 'the fanout is unavailable') {
    return new ParleyError('FANOUT_UNAVAILABLE', message, { cause, retryable: true });
}
/** Messages from Redis are a boundary: anyone with access to the instance can publish on our channels. */
function parseMessage(raw) {
    let value;
    try {
        value = JSON.parse(raw);
    }
    catch {
        // The caller reports the undefined result; the parse error itself carries nothing more useful.
        return undefined;
    }
    if (typeof value !== 'object' || value === null)
        return undefined;
    const { frame, exceptSubjectId, exceptConnectionId } = value;
    if (typeof frame !== 'object' || frame === null || typeof frame.type !== 'string')
        return undefined;
    if (exceptSubjectId !== undefined && typeof exceptSubjectId !== 'string')
        return undefined;
    if (exceptConnectionId !== undefined && typeof exceptConnectionId !== 'string')
        return undefined;
    return value;
}
/**
 * Connects both Redis connections and returns a Fanout. Rejects with `FANOUT_UNAVAILABLE` when Redis can't be
 * reached. After connecting, ioredis reconnects on its own and resubscribes every channel.
 * @example
 * const fanout = await createRedisFanout({ url: process.env.REDIS_URL!, prefix: 'parley:' });
 */
async function createRedisFanout(options) {
    const prefix = options.prefix ?? 'parley:';
    const fallbackLogger = options.onError === undefined ? createJsonLogger() : undefined;
    const report = options.onError ??
        ((err, topic) => {
            const detail = err instanceof ParleyError && err.cause !== undefined ? err.cause : err;
            fallbackLogger?.error('fanout.error', { topic, ...describeError(detail) });
        });
    const connectionOptions = {
        lazyConnect: true,
        connectTimeout: options.connectTimeoutMs ?? 5000,
        // A fanout frame is only worth delivering now. Without an offline queue, resends or retries, a publish while
        // Redis is down (or in flight when the socket drops) rejects at once instead of hanging the handler that awaits
        // it and delivering a stale frame minutes later. Subscriptions are restored by autoResubscribe regardless.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        autoResendUnfulfilledCommands: false,
        // A half-open socket (no RST, no reply) would otherwise hold a publish until the OS gives up.
        commandTimeout: options.commandTimeoutMs ?? 5000,
    };
    const publisher = new Redis(options.url, connectionOptions);
    const subscriber = new Redis(options.url, connectionOptions);
    // ioredis emits 'error' on every failed (re)connect; an EventEmitter 'error' without a listener would crash.
    publisher.on('error', (err) => report(unavailable$1(err)));
    subscriber.on('error', (err) => report(unavailable$1(err)));
    try {
        await Promise.all([publisher.connect(), subscriber.connect()]);
    }
    catch (err) {
        // disconnect, not quit: there may be no connection to say goodbye on, and it stops the retry loop.
        publisher.disconnect();
        subscriber.disconnect();
        throw unavailable$1(err);
    }
    // Listeners and channel subscriptions are tracked apart: a listener keeps receiving until its unsubscribe()
    // round trip completes, even after the channel's refcount dropped to zero and a new SUBSCRIBE took over.
    const listeners = new Map();
    const channels = new Map();
    let isClosed = false;
    subscriber.on('message', (channel, raw) => {
        if (!channel.startsWith(prefix))
            return;
        const topic = channel.slice(prefix.length);
        const set = listeners.get(topic);
        if (set === undefined)
            return;
        const message = parseMessage(raw);
        if (message === undefined) {
            report(unavailable$1(new Error('malformed fanout message'), 'a malformed message arrived on the fanout'), topic);
            return;
        }
        // Copy: a listener may unsubscribe (or subscribe others) while we iterate.
        for (const listener of [...set]) {
            try {
                listener(message);
            }
            catch (err) {
                report(err, topic);
            }
        }
    });
    function guard() {
        if (isClosed)
            throw unavailable$1(new Error('fanout closed'), 'the fanout is closed');
    }
    function removeListener(topic, listener) {
        const set = listeners.get(topic);
        if (set === undefined)
            return;
        set.delete(listener);
        if (set.size === 0)
            listeners.delete(topic);
    }
    /** Drops one reference; the last one sends UNSUBSCRIBE. Either way waits for a reply on the subscriber socket. */
    async function release(topic, channel, listener) {
        try {
            channel.refs -= 1;
            if (channel.refs === 0 && channels.get(topic) === channel) {
                channels.delete(topic);
                // A subscribe() for this topic from now on sends SUBSCRIBE after this UNSUBSCRIBE on the same connection;
                // Redis applies them in order, so the channel ends up subscribed.
                await subscriber.unsubscribe(prefix + topic);
            }
            else {
                await subscriber.ping();
            }
        }
        catch (err) {
            if (!isClosed)
                throw unavailable$1(err);
            // close() already dropped every subscription along with the connection: nothing is left to undo.
        }
        finally {
            // Only now: a message whose PUBLISH was acknowledged before unsubscribe() sits ahead of this reply on the
            // subscriber socket, so it has been delivered; nothing published after unsubscribe() resolves will be.
            removeListener(topic, listener);
        }
    }
    return {
        async publish(topic, message) {
            guard();
            try {
                await publisher.publish(prefix + topic, JSON.stringify(message));
            }
            catch (err) {
                throw unavailable$1(err);
            }
        },
        async subscribe(topic, listener) {
            guard();
            // Wrap so the same function subscribed twice gets two independent subscriptions.
            const entry = (m) => listener(m);
            let channel = channels.get(topic);
            if (channel === undefined) {
                const created = { refs: 0, ready: subscriber.subscribe(prefix + topic).then(() => undefined) };
                channels.set(topic, created);
                channel = created;
            }
            channel.refs += 1;
            let set = listeners.get(topic);
            if (set === undefined)
                listeners.set(topic, (set = new Set()));
            set.add(entry);
            const held = channel;
            try {
                await held.ready;
            }
            catch (err) {
                held.refs -= 1;
                // A failed SUBSCRIBE left nothing on Redis; forget it so the next subscribe() tries again.
                if (channels.get(topic) === held)
                    channels.delete(topic);
                removeListener(topic, entry);
                throw unavailable$1(err);
            }
            let unsubscribing;
            return {
                unsubscribe() {
                    unsubscribing ??= release(topic, held, entry);
                    return unsubscribing;
                },
            };
        },
        async close() {
            if (isClosed)
                return;
            isClosed = true;
            listeners.clear();
            channels.clear();
            const results = await Promise.allSettled([publisher.quit(), subscriber.quit()]);
            for (const result of results) {
                if (result.status === 'rejected')
                    report(unavailable$1(result.reason));
            }
            // After a failed quit (Redis unreachable) the client would keep its reconnect loop alive; after a clean one
            // this is a no-op.
            publisher.disconnect();
            subscriber.disconnect();
        },
    };
}

// Postgres adapter of Storage (node-postgres pool) with group commit for message inserts. Owns the Postgres schema
// and its migrations; must not know about sockets or frames, and must not let driver errors or types leak out.
/**
 * Each entry moves the schema one version forward. Append only: never edit a shipped migration. Version 1 already
 * holds everything SQLite reached in its version 2 (logins, sessions, pages), since no Postgres schema had shipped.
 */
const MIGRATIONS = [
    `
  CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    allowed_origins JSONB NOT NULL,
    created_at BIGINT NOT NULL
  );
  CREATE TABLE visitors (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    created_at BIGINT NOT NULL
  );
  CREATE TABLE agents (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    avatar_url TEXT,
    token_hash TEXT NOT NULL UNIQUE,
    availability TEXT NOT NULL DEFAULT 'offline',
    email TEXT,
    password_hash TEXT,
    role TEXT NOT NULL DEFAULT 'agent',
    created_at BIGINT NOT NULL
  );
  CREATE UNIQUE INDEX agents_email ON agents (email) WHERE email IS NOT NULL;
  CREATE TABLE agent_sessions (
    token_hash TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL REFERENCES agents(id),
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX agent_sessions_expiry ON agent_sessions (expires_at);
  -- ord columns stand in for SQLite's rowid: insertion order breaks ties between equal millisecond timestamps.
  CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    ord BIGINT GENERATED ALWAYS AS IDENTITY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    visitor_id TEXT NOT NULL REFERENCES visitors(id),
    start_client_id TEXT NOT NULL,
    status TEXT NOT NULL,
    last_seq INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    profile JSONB NOT NULL DEFAULT '{}',
    agent_id TEXT REFERENCES agents(id),
    escalation_reason TEXT,
    transcript JSONB,
    queued_at BIGINT,
    visitor_read_seq INTEGER NOT NULL DEFAULT 0,
    agent_read_seq INTEGER NOT NULL DEFAULT 0,
    closed_at BIGINT,
    closed_by TEXT,
    close_reason TEXT,
    UNIQUE (visitor_id, start_client_id)
  );
  CREATE INDEX conversations_queue ON conversations (site_id, status, queued_at);
  CREATE INDEX conversations_history ON conversations (site_id, created_at DESC, ord DESC);
  CREATE TABLE messages (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    seq INTEGER NOT NULL,
    client_id TEXT NOT NULL,
    author_role TEXT NOT NULL,
    author_id TEXT NOT NULL,
    author_name TEXT,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    attachments JSONB,
    at BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, seq),
    UNIQUE (conversation_id, client_id)
  );
  CREATE TABLE ratings (
    conversation_id TEXT PRIMARY KEY REFERENCES conversations(id),
    ord BIGINT GENERATED ALWAYS AS IDENTITY,
    score INTEGER NOT NULL,
    comment TEXT,
    at BIGINT NOT NULL
  );
  CREATE INDEX ratings_at ON ratings (at);
  CREATE TABLE conversation_pages (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    ord BIGINT GENERATED ALWAYS AS IDENTITY,
    url TEXT NOT NULL,
    title TEXT,
    at BIGINT NOT NULL
  );
  CREATE INDEX conversation_pages_by_conversation ON conversation_pages (conversation_id, at, ord);
  INSERT INTO sites (id, key, allowed_origins, created_at) VALUES ('site_demo', 'demo', '["*"]', 0);
  `,
    // 2: per-site shopper identity verification (secret, required flag) and visitors bound to the site's user id.
    `
  ALTER TABLE sites ADD COLUMN identity_secret TEXT;
  ALTER TABLE sites ADD COLUMN requires_identity BOOLEAN NOT NULL DEFAULT FALSE;
  ALTER TABLE visitors ADD COLUMN external_id TEXT;
  CREATE UNIQUE INDEX visitors_external_id ON visitors (site_id, external_id) WHERE external_id IS NOT NULL;
  `,
    // 3: routing: agent capacity, presence leases per connection, assignment times (least loaded, longest idle, waits).
    `
  ALTER TABLE agents ADD COLUMN capacity INTEGER NOT NULL DEFAULT 3;
  ALTER TABLE agents ADD COLUMN last_assigned_at BIGINT;
  ALTER TABLE agents ADD COLUMN last_seen_at BIGINT;
  ALTER TABLE conversations ADD COLUMN assigned_at BIGINT;
  CREATE INDEX conversations_by_agent ON conversations (agent_id, status);
  CREATE TABLE agent_presence (
    connection_id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL,
    site_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    availability TEXT NOT NULL,
    connected_at BIGINT NOT NULL,
    seen_at BIGINT NOT NULL
  );
  CREATE INDEX agent_presence_by_agent ON agent_presence (agent_id, seen_at);
  CREATE INDEX agent_presence_by_site ON agent_presence (site_id, seen_at);
  CREATE INDEX agent_presence_by_node ON agent_presence (node_id);
  `,
    // 4: per-site business hours and widget theme, and the site's FAQ source.
    `
  ALTER TABLE sites ADD COLUMN business_hours JSONB;
  ALTER TABLE sites ADD COLUMN theme JSONB;
  CREATE TABLE site_faqs (
    site_id TEXT PRIMARY KEY REFERENCES sites(id),
    source TEXT NOT NULL,
    updated_at BIGINT NOT NULL
  );
  `,
    // 5: internal notes (agents only), outside the message seq; erased with their conversation.
    `
  CREATE TABLE notes (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    author_id TEXT NOT NULL,
    author_name TEXT,
    text TEXT NOT NULL,
    at BIGINT NOT NULL,
    ord BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (conversation_id, client_id)
  );
  CREATE INDEX notes_by_conversation ON notes (conversation_id, at, ord);
  `,
    // 6: quick replies an agent offers with a message (JSON list of strings).
    `
  ALTER TABLE messages ADD COLUMN quick_replies JSONB;
  `,
    // 7: one group-commit batch of messages in one statement (one round trip, its own transaction) instead of
    // BEGIN, four statements and COMMIT: the conversation row locks are held for a server-side moment rather than
    // six network round trips, which is what two nodes writing the same conversations wait on. Unqualified names
    // resolve against the caller's search_path (the schema option), like every other query of this adapter.
    `
  CREATE FUNCTION parley_append_messages(
    p_conversation_ids TEXT[], p_client_ids TEXT[], p_author_roles TEXT[], p_author_ids TEXT[], p_author_names TEXT[],
    p_kinds TEXT[], p_texts TEXT[], p_attachments JSONB[], p_quick_replies JSONB[], p_at BIGINT[]
  ) RETURNS TABLE (
    o_index BIGINT, o_outcome TEXT, o_seq INTEGER, o_author_role TEXT, o_author_id TEXT, o_author_name TEXT,
    o_kind TEXT, o_text TEXT, o_attachments JSONB, o_quick_replies JSONB, o_at BIGINT
  ) LANGUAGE plpgsql AS $fn$
  BEGIN
    -- In id order, so two nodes' batches cannot deadlock. FOR NO KEY UPDATE: the messages' foreign key takes
    -- KEY SHARE, which FOR UPDATE would block.
    PERFORM 1 FROM conversations WHERE id = ANY(p_conversation_ids) ORDER BY id FOR NO KEY UPDATE;
    -- A new statement, so a new snapshot: it sees what another node committed while this one waited for the locks.
    -- The caller sends each (conversation, client id) once.
    RETURN QUERY
    WITH input AS (
      SELECT u.* FROM unnest(p_conversation_ids, p_client_ids, p_author_roles, p_author_ids, p_author_names, p_kinds,
                             p_texts, p_attachments, p_quick_replies, p_at)
        WITH ORDINALITY AS u(cid, kid, role, aid, aname, kind, body, atts, quick, at, i)
    ),
    found AS (
      SELECT input.i, c.id IS NOT NULL AS has_conversation, c.status, c.last_seq, m.seq AS stored_seq,
             m.author_role, m.author_id, m.author_name, m.kind, m.text, m.attachments, m.quick_replies, m.at
      FROM input
      LEFT JOIN conversations c ON c.id = input.cid
      LEFT JOIN messages m ON m.conversation_id = input.cid AND m.client_id = input.kid
    ),
    fresh AS (
      SELECT input.*, (f.last_seq + row_number() OVER (PARTITION BY input.cid ORDER BY input.i))::INTEGER AS seq
      FROM input JOIN found f ON f.i = input.i
      WHERE f.has_conversation AND f.stored_seq IS NULL AND NOT (f.status = 'closed' AND input.kind = 'text')
    ),
    inserted AS (
      INSERT INTO messages (conversation_id, seq, client_id, author_role, author_id, author_name, kind, text, attachments,
                            quick_replies, at)
      SELECT cid, seq, kid, role, aid, aname, kind, body, atts, quick, at FROM fresh
      RETURNING 1
    ),
    bumped AS (
      UPDATE conversations c SET last_seq = v.top
      FROM (SELECT cid, max(seq) AS top FROM fresh GROUP BY cid) v
      WHERE c.id = v.cid
      RETURNING 1
    )
    SELECT f.i,
           CASE WHEN NOT f.has_conversation THEN 'not_found'
                WHEN f.stored_seq IS NOT NULL THEN 'stored'
                WHEN fresh.seq IS NULL THEN 'closed'
                ELSE 'new' END,
           coalesce(fresh.seq, f.stored_seq), f.author_role, f.author_id, f.author_name, f.kind, f.text,
           f.attachments, f.quick_replies, f.at
    FROM found f LEFT JOIN fresh ON fresh.i = f.i
    ORDER BY f.i;
  END
  $fn$;
  `,
    // 8: the site's rating scale (NULL: csat), and the scale each rating was given on.
    `
  ALTER TABLE sites ADD COLUMN rating_scale TEXT;
  ALTER TABLE ratings ADD COLUMN scale TEXT NOT NULL DEFAULT 'csat';
  `,
];
const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;
/** Upper bound on appends per group-commit transaction, so one huge burst doesn't hold row locks for long. */
const MAX_BATCH = 500;
/** Deadlock / serialization failures are transient by definition: the loser may simply run again. */
const RETRYABLE_SQLSTATES = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 3;
const NOTE_COLUMNS = 'conversation_id, client_id, author_id, author_name, text, at';
const STATUSES = ['bot', 'queued', 'assigned', 'closed', 'offline'];
const AGENT_COLUMNS = 'a.id, a.site_id, a.name, a.avatar_url, a.availability, a.role, a.email';
function toAgent(row) {
    const agent = {
        id: row.id,
        siteId: row.site_id,
        name: row.name,
        availability: row.availability,
        role: row.role === 'admin' ? 'admin' : 'agent',
    };
    if (row.avatar_url !== null)
        agent.avatarUrl = row.avatar_url;
    if (row.email !== null)
        agent.email = row.email;
    return agent;
}
/** `%`, `_` and the escape character itself are literal in a search term. */
function likePattern(term) {
    return `%${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
function unavailable(cause) {
    return new ParleyError('STORAGE_UNAVAILABLE', 'the database is unavailable', { cause, retryable: true });
}
/** Driver errors become STORAGE_UNAVAILABLE; only the SQLSTATE travels in details, never the driver's message. */
function toStorageError(err) {
    if (err instanceof ParleyError)
        return err;
    const sqlState = typeof err?.code === 'string' ? err.code : undefined;
    // Class 22 (data exception, e.g. a NUL byte in TEXT) and 23 (integrity constraint): the same write will be
    // refused again, so retrying is pointless.
    if (sqlState !== undefined && (sqlState.startsWith('22') || sqlState.startsWith('23'))) {
        return new ParleyError('STORAGE_UNAVAILABLE', 'the database refused the write', {
            cause: err,
            retryable: false,
            details: { sqlState },
        });
    }
    return new ParleyError('STORAGE_UNAVAILABLE', 'the database is unavailable', {
        cause: err,
        retryable: true,
        ...(sqlState === undefined ? {} : { details: { sqlState } }),
    });
}
function containsNul(value) {
    if (typeof value === 'string')
        return value.includes('\u0000');
    if (typeof value !== 'object' || value === null)
        return false;
    return Object.entries(value).some(([key, item]) => key.includes('\u0000') || containsNul(item));
}
function isRetryable(err) {
    const code = err?.code;
    return typeof code === 'string' && RETRYABLE_SQLSTATES.has(code);
}
/** Rows are a boundary: a JSONB column of the wrong shape becomes STORAGE_UNAVAILABLE, not a crash in a handler. */
function jsonObject(value, fallback) {
    if (value === null || value === undefined)
        return fallback;
    if (typeof value !== 'object')
        throw unavailable(new Error('bad JSON column'));
    return value;
}
function jsonArray(value) {
    if (value === null || value === undefined)
        return undefined;
    if (!Array.isArray(value))
        throw unavailable(new Error('bad JSON column'));
    return value;
}
function toNote(row) {
    const author = { role: 'agent', id: row.author_id };
    if (row.author_name !== null)
        author.name = row.author_name;
    return { conversationId: row.conversation_id, clientId: row.client_id, author, text: row.text, at: toInt(row.at) };
}
function toInt(value) {
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isSafeInteger(n))
        throw unavailable(new Error(`bad integer ${String(value)}`));
    return n;
}
function toConversation(row) {
    if (!STATUSES.includes(row.status))
        throw unavailable(new Error(`bad status ${row.status}`));
    const conversation = {
        id: row.id,
        siteId: row.site_id,
        visitorId: row.visitor_id,
        status: row.status,
        lastSeq: row.last_seq,
        createdAt: toInt(row.created_at),
        profile: jsonObject(row.profile, {}),
        visitorReadSeq: row.visitor_read_seq,
        agentReadSeq: row.agent_read_seq,
    };
    if (row.agent_id !== null) {
        conversation.agent = { id: row.agent_id, name: row.agent_name ?? '' };
        if (row.agent_avatar_url !== null)
            conversation.agent.avatarUrl = row.agent_avatar_url;
    }
    if (row.escalation_reason !== null)
        conversation.escalationReason = row.escalation_reason;
    if (row.queued_at !== null)
        conversation.queuedAt = toInt(row.queued_at);
    return conversation;
}
function toMessage(row) {
    const message = {
        conversationId: row.conversation_id,
        seq: row.seq,
        clientId: row.client_id,
        author: { role: row.author_role, id: row.author_id },
        kind: row.kind,
        text: row.text,
        at: toInt(row.at),
    };
    if (row.author_name !== null)
        message.author.name = row.author_name;
    const attachments = jsonArray(row.attachments);
    if (attachments !== undefined)
        message.attachments = attachments;
    const quickReplies = jsonArray(row.quick_replies);
    if (quickReplies !== undefined)
        message.quickReplies = quickReplies;
    return withEventCode(message);
}
const SITE_COLUMNS = 'id, key, allowed_origins, identity_secret, requires_identity, business_hours, theme, rating_scale';
function toSite(row) {
    const site = {
        id: row.id,
        key: row.key,
        allowedOrigins: jsonArray(row.allowed_origins) ?? [],
        requiresIdentity: row.requires_identity === true,
    };
    if (row.identity_secret !== null)
        site.identitySecret = row.identity_secret;
    const hours = jsonObject(row.business_hours, null);
    if (hours !== null)
        site.businessHours = hours;
    const theme = jsonObject(row.theme, null);
    if (theme !== null)
        site.theme = theme;
    if (isRatingScale(row.rating_scale))
        site.ratingScale = row.rating_scale;
    return site;
}
const VISITOR_COLUMNS = 'id, site_id, created_at, external_id';
function toVisitor(row) {
    const visitor = { id: row.id, siteId: row.site_id, createdAt: toInt(row.created_at) };
    if (row.external_id !== null)
        visitor.externalId = row.external_id;
    return visitor;
}
function isUniqueViolation(err) {
    return err instanceof ParleyError && err.details?.sqlState === '23505';
}
const CONVERSATION_SELECT = `
  SELECT c.id, c.site_id, c.visitor_id, c.status, c.last_seq, c.created_at, c.profile, c.agent_id,
         a.name AS agent_name, a.avatar_url AS agent_avatar_url, c.escalation_reason, c.queued_at,
         c.visitor_read_seq, c.agent_read_seq
  FROM conversations c LEFT JOIN agents a ON a.id = c.agent_id`;
const MESSAGE_COLUMNS = 'conversation_id, seq, client_id, author_role, author_id, author_name, kind, text, attachments, quick_replies, at';
/**
 * Connects a pool, migrates the schema (safe when several nodes start at once), and returns a Storage.
 * Rejects with `STORAGE_UNAVAILABLE` when the database cannot be reached.
 * @example
 * const storage = await createPostgresStorage({ connectionString: process.env.DATABASE_URL!, schema: 'parley' });
 */
async function createPostgresStorage(options) {
    const now = options.now ?? Date.now;
    if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
        throw new ParleyError('CONFIG_INVALID', `postgres schema "${options.schema}" is not allowed: use lowercase letters, digits and _ (at most 63)`);
    }
    const pool = new pg.Pool({
        connectionString: options.connectionString,
        max: options.poolSize ?? 10,
        connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
        // Set per connection, so every query of this pool (and nothing else in the process) sees our schema.
        ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
    });
    // An idle client that dies emits on the pool; without a listener Node would crash the process. The pool drops
    // the client and the next query opens a new one, so reporting is all there is to do.
    const reportConnectionError = options.onError ?? ((err) => createJsonLogger().error('storage.connection_lost', describeError(err.cause)));
    pool.on('error', (err) => reportConnectionError(toStorageError(err)));
    // The pool listens only while a client is idle. A connection that dies while checked out (between two queries of
    // a transaction, or just handed out) would otherwise emit an unhandled 'error' and crash the process; the query
    // in progress rejects on its own and the broken client is destroyed on release.
    pool.on('connect', (client) => client.on('error', (err) => reportConnectionError(toStorageError(err))));
    try {
        await migrate(pool, options.schema);
    }
    catch (err) {
        await pool.end().catch(() => {
            // The pool is being abandoned because of `err`, which is what the caller gets; a second failure adds nothing.
        });
        throw toStorageError(err);
    }
    let isClosed = false;
    function guard() {
        if (isClosed)
            throw unavailable(new Error('storage closed'));
    }
    /** Runs one query outside a transaction, mapping driver errors. */
    async function query(text, values) {
        guard();
        try {
            return await pool.query(text, values);
        }
        catch (err) {
            throw toStorageError(err);
        }
    }
    /** BEGIN … COMMIT on one pool client; resolves only after COMMIT. Deadlock victims run again. */
    async function inTransaction(body) {
        guard();
        for (let attempt = 1;; attempt++) {
            let client;
            try {
                client = await pool.connect();
            }
            catch (err) {
                throw toStorageError(err);
            }
            let releaseError;
            try {
                await client.query('BEGIN');
                const result = await body(client);
                await client.query('COMMIT');
                return result;
            }
            catch (err) {
                try {
                    await client.query('ROLLBACK');
                }
                catch (rollbackErr) {
                    // The connection is broken; destroy it rather than return it to the pool. `err` is what we report.
                    releaseError = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
                }
                if (attempt < MAX_ATTEMPTS && isRetryable(err))
                    continue;
                throw toStorageError(err);
            }
            finally {
                client.release(releaseError);
            }
        }
    }
    async function getConversationWith(db, id) {
        const { rows } = await db.query(`${CONVERSATION_SELECT} WHERE c.id = $1`, [id]);
        return rows[0] === undefined ? undefined : toConversation(rows[0]);
    }
    /** Inserts a message with a seq the caller already reserved under the conversation's row lock. */
    async function insertMessage(db, input, seq) {
        const at = now();
        // ON CONFLICT on the dedup key only: a (conversation, seq) clash would be a bug and must surface as an error.
        const { rowCount } = await db.query(`INSERT INTO messages (${MESSAGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (conversation_id, client_id) DO NOTHING`, [
            input.conversationId,
            seq,
            input.clientId,
            input.author.role,
            input.author.id,
            input.author.name ?? null,
            input.kind,
            input.text,
            input.attachments === undefined ? null : JSON.stringify(input.attachments),
            input.quickReplies === undefined ? null : JSON.stringify(input.quickReplies),
            at,
        ]);
        if (rowCount !== 1)
            return undefined;
        const message = {
            conversationId: input.conversationId,
            seq,
            clientId: input.clientId,
            author: { ...input.author },
            kind: input.kind,
            text: input.text,
            at,
        };
        if (input.attachments !== undefined)
            message.attachments = input.attachments;
        if (input.quickReplies !== undefined)
            message.quickReplies = input.quickReplies;
        return withEventCode(message);
    }
    function messageKey(conversationId, clientId) {
        return `${conversationId}\u0000${clientId}`;
    }
    function newMessage(input, seq, at) {
        const message = {
            conversationId: input.conversationId,
            seq,
            clientId: input.clientId,
            author: { ...input.author },
            kind: input.kind,
            text: input.text,
            at,
        };
        if (input.attachments !== undefined)
            message.attachments = input.attachments;
        if (input.quickReplies !== undefined)
            message.quickReplies = input.quickReplies;
        return withEventCode(message);
    }
    /** Runs one statement (its own transaction) again when it lost a deadlock or a serialization check. */
    async function queryRetrying(text, values) {
        guard();
        for (let attempt = 1;; attempt++) {
            try {
                return await pool.query(text, values);
            }
            catch (err) {
                if (attempt < MAX_ATTEMPTS && isRetryable(err))
                    continue;
                throw toStorageError(err);
            }
        }
    }
    /** What parley_append_messages says about one message. */
    function toOutcome(input, row, at) {
        switch (row.o_outcome) {
            case 'new':
                return { ok: true, value: { message: newMessage(input, row.o_seq, at), duplicate: false } };
            case 'stored':
                // A resend of a message stored earlier (before a close, too) is acknowledged again, as in sqlite.ts.
                return {
                    ok: true,
                    value: {
                        message: toMessage({
                            conversation_id: input.conversationId,
                            seq: row.o_seq,
                            client_id: input.clientId,
                            author_role: row.o_author_role,
                            author_id: row.o_author_id,
                            author_name: row.o_author_name,
                            kind: row.o_kind,
                            text: row.o_text,
                            attachments: row.o_attachments,
                            quick_replies: row.o_quick_replies,
                            at: row.o_at,
                        }),
                        duplicate: true,
                    },
                };
            case 'not_found':
                return { ok: false, error: new ParleyError('CONVERSATION_NOT_FOUND', 'no such conversation') };
            case 'closed':
                return { ok: false, error: new ParleyError('CONVERSATION_CLOSED', 'the conversation is closed') };
            default:
                return { ok: false, error: unavailable(new Error(`unknown append outcome ${String(row.o_outcome)}`)) };
        }
    }
    /**
     * One group-commit batch in one round trip: parley_append_messages (migration 7) locks the conversations, finds
     * resends, hands out seqs in arrival order, inserts, and writes last_seq once per conversation, all in the
     * statement's own transaction. A clientId sent twice in one batch goes to the database once; the second copy gets
     * the first's outcome, as a duplicate.
     */
    async function commitBatch(batch) {
        const firsts = [];
        const firstOf = new Map();
        const slots = batch.map(({ input }) => {
            const key = messageKey(input.conversationId, input.clientId);
            let slot = firstOf.get(key);
            if (slot === undefined) {
                slot = firsts.push(input) - 1;
                firstOf.set(key, slot);
            }
            return slot;
        });
        const at = now();
        let rows;
        try {
            ({ rows } = await queryRetrying('SELECT * FROM parley_append_messages($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', [
                firsts.map((m) => m.conversationId),
                firsts.map((m) => m.clientId),
                firsts.map((m) => m.author.role),
                firsts.map((m) => m.author.id),
                firsts.map((m) => m.author.name ?? null),
                firsts.map((m) => m.kind),
                firsts.map((m) => m.text),
                firsts.map((m) => (m.attachments === undefined ? null : JSON.stringify(m.attachments))),
                firsts.map((m) => (m.quickReplies === undefined ? null : JSON.stringify(m.quickReplies))),
                firsts.map(() => at),
            ]));
            if (rows.length !== firsts.length)
                throw unavailable(new Error('the append returned fewer outcomes than it was given'));
        }
        catch (err) {
            const error = toStorageError(err);
            for (const item of batch)
                item.reject(error);
            return;
        }
        const outcomes = rows.map((row, i) => toOutcome(firsts[i], row, at));
        // Resolved only after the statement's COMMIT, so every outcome here is durable. (If only the reply is lost, the
        // batch rejects though its rows may be stored; the client's resend then gets duplicate: true.)
        batch.forEach((item, i) => {
            const slot = slots[i];
            const outcome = outcomes[slot];
            if (!outcome.ok)
                item.reject(outcome.error);
            else
                item.resolve(firsts[slot] === item.input ? outcome.value : { message: outcome.value.message, duplicate: true });
        });
    }
    // Group commit: one batch in flight per node. Appends that arrive while it commits form the next batch, which
    // keeps seqs in arrival order on this node and turns N round-trip commits into one.
    let pending = [];
    let flushing;
    function startFlush() {
        flushing ??= (async () => {
            // Let the rest of this event-loop turn queue its appends, as sqlite.ts does with setImmediate.
            await new Promise((resolve) => setImmediate(resolve));
            while (pending.length > 0) {
                const batch = pending.slice(0, MAX_BATCH);
                pending = pending.slice(MAX_BATCH);
                await commitBatch(batch);
            }
        })().finally(() => {
            flushing = undefined;
            // An append may have arrived between the loop's last check and this callback.
            if (pending.length > 0)
                void startFlush();
        });
        return flushing;
    }
    async function settleAppends() {
        while (flushing !== undefined || pending.length > 0)
            await startFlush();
    }
    /** A write outside the group-commit queue (assign, close): earlier appends commit first so seqs keep arrival order. */
    async function transact(body) {
        guard();
        if (flushing !== undefined || pending.length > 0)
            await startFlush();
        return inTransaction(body);
    }
    async function writeEvent(client, conversationId, author, text, seq, code) {
        const event = await insertMessage(client, { conversationId, clientId: eventClientId(code), author, kind: 'event', text }, seq);
        if (event === undefined)
            throw unavailable(new Error('event clientId collided'));
        return event;
    }
    const storage = {
        async getSiteByKey(key) {
            const { rows } = await query(`SELECT ${SITE_COLUMNS} FROM sites WHERE key = $1`, [key]);
            return rows[0] === undefined ? undefined : toSite(rows[0]);
        },
        async getSite(id) {
            const { rows } = await query(`SELECT ${SITE_COLUMNS} FROM sites WHERE id = $1`, [id]);
            return rows[0] === undefined ? undefined : toSite(rows[0]);
        },
        async createSite(input) {
            const site = { id: `site_${randomUUID()}`, key: input.key, allowedOrigins: [...input.allowedOrigins], requiresIdentity: input.requiresIdentity ?? false };
            if (input.identitySecret !== undefined)
                site.identitySecret = input.identitySecret;
            if (input.businessHours !== undefined)
                site.businessHours = input.businessHours;
            if (input.theme !== undefined)
                site.theme = input.theme;
            if (input.ratingScale !== undefined)
                site.ratingScale = input.ratingScale;
            const { rowCount } = await query(`INSERT INTO sites (id, key, allowed_origins, identity_secret, requires_identity, business_hours, theme, created_at, rating_scale)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9) ON CONFLICT (key) DO NOTHING`, [
                site.id,
                site.key,
                JSON.stringify(site.allowedOrigins),
                site.identitySecret ?? null,
                site.requiresIdentity,
                site.businessHours === undefined ? null : JSON.stringify(site.businessHours),
                site.theme === undefined ? null : JSON.stringify(site.theme),
                now(),
                site.ratingScale ?? null,
            ]);
            if (rowCount !== 1)
                throw new ParleyError('STORAGE_CONFLICT', `the site key "${input.key}" is taken`);
            return site;
        },
        async updateSite(id, patch) {
            // COALESCE keeps what the patch leaves out; identity_secret distinguishes "leave" ($5 false) from "set to null".
            const { rows } = await query(`UPDATE sites SET allowed_origins = COALESCE($2::jsonb, allowed_origins),
                          identity_secret = CASE WHEN $5 THEN $3 ELSE identity_secret END,
                          requires_identity = COALESCE($4, requires_identity),
                          business_hours = CASE WHEN $7 THEN $6::jsonb ELSE business_hours END,
                          theme = CASE WHEN $9 THEN $8::jsonb ELSE theme END,
                          rating_scale = CASE WHEN $11 THEN $10 ELSE rating_scale END
         WHERE id = $1 RETURNING ${SITE_COLUMNS}`, [
                id,
                patch.allowedOrigins === undefined ? null : JSON.stringify(patch.allowedOrigins),
                patch.identitySecret ?? null,
                patch.requiresIdentity ?? null,
                patch.identitySecret !== undefined,
                patch.businessHours == null ? null : JSON.stringify(patch.businessHours),
                patch.businessHours !== undefined,
                patch.theme == null ? null : JSON.stringify(patch.theme),
                patch.theme !== undefined,
                patch.ratingScale ?? null,
                patch.ratingScale !== undefined,
            ]);
            return rows[0] === undefined ? undefined : toSite(rows[0]);
        },
        async listSites() {
            const { rows } = await query(`SELECT ${SITE_COLUMNS} FROM sites ORDER BY created_at ASC, id ASC`);
            return rows.map(toSite);
        },
        async getSiteFaq(siteId) {
            const { rows } = await query('SELECT site_id, source, updated_at FROM site_faqs WHERE site_id = $1', [siteId]);
            const row = rows[0];
            return row === undefined ? undefined : { siteId: row.site_id, source: row.source, updatedAt: toInt(row.updated_at) };
        },
        async putSiteFaq({ siteId, source }) {
            const faq = { siteId, source, updatedAt: now() };
            await query(`INSERT INTO site_faqs (site_id, source, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (site_id) DO UPDATE SET source = EXCLUDED.source, updated_at = EXCLUDED.updated_at`, [faq.siteId, faq.source, faq.updatedAt]);
            return faq;
        },
        async getDefaultSite() {
            const site = await storage.getSiteByKey('demo');
            if (site === undefined)
                throw unavailable(new Error('default site missing'));
            return site;
        },
        async createVisitor(siteId) {
            const visitor = { id: `v_${randomUUID()}`, siteId, createdAt: now() };
            await query('INSERT INTO visitors (id, site_id, created_at) VALUES ($1, $2, $3)', [visitor.id, siteId, visitor.createdAt]);
            return visitor;
        },
        async getVisitor(id) {
            const { rows } = await query(`SELECT ${VISITOR_COLUMNS} FROM visitors WHERE id = $1`, [id]);
            return rows[0] === undefined ? undefined : toVisitor(rows[0]);
        },
        async identifyVisitor(input) {
            const bound = async () => (await query(`SELECT ${VISITOR_COLUMNS} FROM visitors WHERE site_id = $1 AND external_id = $2`, [input.siteId, input.externalId])).rows[0];
            const existing = await bound();
            if (existing !== undefined)
                return toVisitor(existing);
            // Another node may bind the same external id between the SELECT and the write: the unique index refuses the
            // loser, which then reads the winner's row.
            try {
                if (input.visitorId !== undefined) {
                    const { rows } = await query(`UPDATE visitors SET external_id = $1 WHERE id = $2 AND site_id = $3 AND external_id IS NULL RETURNING ${VISITOR_COLUMNS}`, [input.externalId, input.visitorId, input.siteId]);
                    if (rows[0] !== undefined)
                        return toVisitor(rows[0]);
                }
                const visitor = { id: `v_${randomUUID()}`, siteId: input.siteId, createdAt: now(), externalId: input.externalId };
                await query('INSERT INTO visitors (id, site_id, created_at, external_id) VALUES ($1, $2, $3, $4)', [
                    visitor.id,
                    visitor.siteId,
                    visitor.createdAt,
                    input.externalId,
                ]);
                return visitor;
            }
            catch (err) {
                if (!isUniqueViolation(err))
                    throw err;
                const winner = await bound();
                if (winner === undefined)
                    throw err;
                return toVisitor(winner);
            }
        },
        async createAgent(input) {
            const role = input.role ?? 'agent';
            const agent = { id: `a_${randomUUID()}`, siteId: input.siteId, name: input.name, availability: 'offline', role };
            if (input.avatarUrl !== undefined)
                agent.avatarUrl = input.avatarUrl;
            if (input.email !== undefined)
                agent.email = input.email;
            await query(`INSERT INTO agents (id, site_id, name, avatar_url, token_hash, email, password_hash, role, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [agent.id, input.siteId, input.name, input.avatarUrl ?? null, input.tokenHash, input.email ?? null, input.passwordHash ?? null, role, now()]);
            return agent;
        },
        async getAgentByTokenHash(tokenHash) {
            // One round trip: the agent's own token first, else an unexpired console session.
            const { rows } = await query(`SELECT ${AGENT_COLUMNS} FROM agents a WHERE a.token_hash = $1
         UNION ALL
         SELECT ${AGENT_COLUMNS} FROM agent_sessions s JOIN agents a ON a.id = s.agent_id
         WHERE s.token_hash = $1 AND s.expires_at > $2
         LIMIT 1`, [tokenHash, now()]);
            return rows[0] === undefined ? undefined : toAgent(rows[0]);
        },
        async getAgentCredentials(email) {
            const { rows } = await query(`SELECT ${AGENT_COLUMNS}, a.password_hash FROM agents a WHERE a.email = $1`, [email]);
            const row = rows[0];
            return row === undefined ? undefined : { agent: toAgent(row), passwordHash: row.password_hash ?? undefined };
        },
        async createAgentSession(session) {
            // Expired sessions are swept on the next login rather than by a timer, as in sqlite.ts.
            await query('DELETE FROM agent_sessions WHERE expires_at <= $1', [now()]);
            await query('INSERT INTO agent_sessions (token_hash, agent_id, expires_at) VALUES ($1, $2, $3)', [
                session.tokenHash,
                session.agentId,
                session.expiresAt,
            ]);
        },
        async deleteAgentSession(tokenHash) {
            await query('DELETE FROM agent_sessions WHERE token_hash = $1', [tokenHash]);
        },
        async setAgentAvailability(agentId, availability) {
            await query('UPDATE agents SET availability = $1 WHERE id = $2', [availability, agentId]);
            await query('UPDATE agent_presence SET availability = $1 WHERE agent_id = $2', [availability, agentId]);
        },
        async revokeAgentCredentials(agentId) {
            return inTransaction(async (client) => {
                // token_hash is NOT NULL UNIQUE: a random value no SHA-256 hex digest can equal stands in for "none".
                const { rowCount } = await client.query('UPDATE agents SET token_hash = $1 WHERE id = $2', [`revoked:${randomUUID()}`, agentId]);
                if (rowCount !== 1)
                    return false;
                await client.query('DELETE FROM agent_sessions WHERE agent_id = $1', [agentId]);
                return true;
            });
        },
        async startConversation(input) {
            // ON CONFLICT makes two concurrent starts with the same clientId (two tabs, two nodes) create one row.
            const inserted = await query(`INSERT INTO conversations (id, site_id, visitor_id, start_client_id, status, created_at, profile)
         VALUES ($1, $2, $3, $4, 'bot', $5, $6) ON CONFLICT (visitor_id, start_client_id) DO NOTHING`, [`c_${randomUUID()}`, input.siteId, input.visitorId, input.clientId, now(), JSON.stringify(input.profile ?? {})]);
            const { rows } = await query(`${CONVERSATION_SELECT} WHERE c.visitor_id = $1 AND c.start_client_id = $2`, [input.visitorId, input.clientId]);
            if (rows[0] === undefined)
                throw unavailable(new Error('conversation vanished after insert'));
            return { conversation: toConversation(rows[0]), created: inserted.rowCount === 1 };
        },
        async getConversation(id) {
            guard();
            try {
                return await getConversationWith(pool, id);
            }
            catch (err) {
                throw toStorageError(err);
            }
        },
        appendMessage(input) {
            if (isClosed)
                return Promise.reject(unavailable(new Error('storage closed')));
            // Postgres TEXT and JSONB cannot hold U+0000 (SQLite can). Refused here, one bad message would abort the
            // whole group-commit transaction and fail everyone else's messages with it.
            if (containsNul([input.clientId, input.author, input.text, input.attachments, input.quickReplies])) {
                return Promise.reject(new ParleyError('STORAGE_UNAVAILABLE', 'the database refused the write', {
                    retryable: false,
                    details: { reason: 'nul_character' },
                }));
            }
            return new Promise((resolve, reject) => {
                pending.push({ input, resolve, reject });
                void startFlush();
            });
        },
        async listMessages(q) {
            const limit = Math.max(1, Math.floor(q.limit));
            if (q.afterSeq !== undefined) {
                const { rows } = await query(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND seq > $2 ORDER BY seq ASC LIMIT $3`, [q.conversationId, q.afterSeq, limit + 1]);
                return { messages: rows.slice(0, limit).map(toMessage), hasMore: rows.length > limit };
            }
            const before = q.beforeSeq ?? 2 ** 31 - 1; // seq is INTEGER
            const { rows } = await query(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`, [q.conversationId, Math.min(before, 2 ** 31 - 1), limit + 1]);
            return { messages: rows.slice(0, limit).reverse().map(toMessage), hasMore: rows.length > limit };
        },
        async markRead(conversationId, role, upToSeq) {
            const column = role === 'visitor' ? 'visitor_read_seq' : 'agent_read_seq';
            const { rows } = await query(`UPDATE conversations SET ${column} = GREATEST(${column}, LEAST($1::int, last_seq))
         WHERE id = $2 RETURNING ${column} AS marker`, [Math.max(0, Math.min(Math.floor(upToSeq), 2 ** 31 - 1)), conversationId]);
            if (rows[0] === undefined)
                throw new ParleyError('CONVERSATION_NOT_FOUND', 'no such conversation');
            return rows[0].marker;
        },
        recordPage: (conversationId, url, title) => inTransaction(async (client) => {
            const patch = { page: url };
            if (title !== undefined)
                patch.pageTitle = title;
            // jsonb || merges at the top level in one statement, so concurrent profile updates don't overwrite each other.
            const { rowCount } = await client.query('UPDATE conversations SET profile = profile || $1::jsonb WHERE id = $2', [
                JSON.stringify(patch),
                conversationId,
            ]);
            if (rowCount !== 1)
                throw new ParleyError('CONVERSATION_NOT_FOUND', 'no such conversation');
            await client.query('INSERT INTO conversation_pages (conversation_id, url, title, at) VALUES ($1, $2, $3, $4)', [
                conversationId,
                url,
                title ?? null,
                now(),
            ]);
        }),
        escalate: (input) => transact(async (client) => {
            const { rowCount } = await client.query(`UPDATE conversations SET status = $6, escalation_reason = $1, transcript = $2::jsonb,
             profile = profile || $3::jsonb, queued_at = $4
           WHERE id = $5 AND status IN ('bot', 'offline')`, [input.reason, JSON.stringify(input.transcript), JSON.stringify(input.profile ?? {}), now(), input.conversationId, input.status ?? 'queued']);
            return { changed: rowCount === 1, conversation: await getConversationWith(client, input.conversationId) };
        }),
        async listQueue(siteId) {
            const { rows } = await query(`SELECT id, visitor_id, queued_at, escalation_reason, profile, transcript FROM conversations
         WHERE site_id = $1 AND status = 'queued' ORDER BY queued_at ASC, ord ASC`, [siteId]);
            return rows.map((row) => ({
                conversationId: row.id,
                visitorId: row.visitor_id,
                queuedAt: toInt(row.queued_at),
                reason: row.escalation_reason,
                profile: jsonObject(row.profile, {}),
                transcript: jsonArray(row.transcript) ?? [],
            }));
        },
        assign: (conversationId, agent) => transact(async (client) => {
            // Compare-and-set: concurrent callers queue on the row lock, then re-check status = 'queued' against the
            // winner's committed row and match nothing. The seq for the event is taken in the same statement.
            const at = now();
            const { rows } = await client.query(
            // An offline message is taken the same way; its time waiting is no queue wait, so assigned_at stays unset.
            `UPDATE conversations SET status = 'assigned', agent_id = $1, last_seq = last_seq + 1,
             assigned_at = CASE WHEN status = 'queued' THEN $3 ELSE assigned_at END
           WHERE id = $2 AND status IN ('queued', 'offline') RETURNING last_seq`, [agent.id, conversationId, at]);
            if (rows[0] === undefined)
                return { changed: false, conversation: await getConversationWith(client, conversationId) };
            await client.query('UPDATE agents SET last_assigned_at = $1 WHERE id = $2', [at, agent.id]);
            const author = { role: 'agent', id: agent.id, name: agent.name };
            const event = await writeEvent(client, conversationId, author, `${agent.name} joined the conversation`, rows[0].last_seq, 'joined');
            return { changed: true, conversation: await getConversationWith(client, conversationId), event };
        }),
        closeConversation: (conversationId, by, reason) => transact(async (client) => {
            const { rows } = await client.query(`UPDATE conversations SET status = 'closed', closed_at = $1, closed_by = $2, close_reason = $3,
             last_seq = last_seq + 1
           WHERE id = $4 AND status <> 'closed' RETURNING last_seq`, [now(), by, reason ?? null, conversationId]);
            if (rows[0] === undefined)
                return { changed: false, conversation: await getConversationWith(client, conversationId) };
            const event = await writeEvent(client, conversationId, { role: 'system', id: 'system' }, `Conversation closed by the ${by}`, rows[0].last_seq, 'closed');
            return { changed: true, conversation: await getConversationWith(client, conversationId), event };
        }),
        async searchConversations(search) {
            const term = search.q?.trim();
            const { rows } = await query(
            // Visitor name/e-mail live in the profile JSON; message text is searched only in text messages.
            `SELECT c.id, c.site_id, c.visitor_id, c.status, c.last_seq, c.created_at, c.profile, c.agent_id,
                a.name AS agent_name, a.avatar_url AS agent_avatar_url, c.escalation_reason, c.queued_at,
                c.visitor_read_seq, c.agent_read_seq, c.closed_at, r.score AS rating, r.scale AS rating_scale,
                lm.text AS last_text, lm.at AS last_at, lm.author_role AS last_role
         FROM conversations c
         LEFT JOIN agents a ON a.id = c.agent_id
         LEFT JOIN ratings r ON r.conversation_id = c.id
         LEFT JOIN LATERAL (
           SELECT m.text, m.at, m.author_role FROM messages m
           WHERE m.conversation_id = c.id AND m.kind = 'text' ORDER BY m.seq DESC LIMIT 1) lm ON true
         WHERE c.site_id = $1
           AND ($2::text IS NULL OR c.status = $2)
           AND ($3::text IS NULL
                OR lower(coalesce(c.profile->>'name', '')) LIKE $3 ESCAPE '\\'
                OR lower(coalesce(c.profile->>'email', '')) LIKE $3 ESCAPE '\\'
                OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.kind = 'text'
                           AND lower(m.text) LIKE $3 ESCAPE '\\'))
         ORDER BY c.created_at DESC, c.ord DESC
         LIMIT $4 OFFSET $5`, [
                search.siteId,
                search.status ?? null,
                term === undefined || term === '' ? null : likePattern(term),
                Math.max(1, Math.floor(search.limit)),
                Math.max(0, Math.floor(search.offset ?? 0)),
            ]);
            return rows.map((row) => {
                const conv = toConversation(row);
                const summary = {
                    id: conv.id,
                    status: conv.status,
                    createdAt: conv.createdAt,
                    lastSeq: conv.lastSeq,
                    profile: conv.profile,
                };
                if (conv.agent !== undefined)
                    summary.agent = conv.agent;
                if (conv.escalationReason !== undefined)
                    summary.escalationReason = conv.escalationReason;
                if (row.closed_at !== null)
                    summary.closedAt = toInt(row.closed_at);
                if (row.rating !== null) {
                    summary.rating = row.rating;
                    summary.ratingScale = toRatingScale(row.rating_scale);
                }
                if (row.last_text !== null && row.last_at !== null && row.last_role !== null) {
                    summary.lastMessage = { text: row.last_text, at: toInt(row.last_at), role: row.last_role };
                }
                return summary;
            });
        },
        async getConversationDetail(id) {
            // Three reads at READ COMMITTED could straddle a close; one REPEATABLE READ snapshot keeps them consistent.
            return inTransaction(async (client) => {
                await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
                const conv = await getConversationWith(client, id);
                if (conv === undefined)
                    return undefined;
                const extra = await client.query(`SELECT c.transcript, c.closed_at, c.closed_by, c.close_reason, r.score, r.scale, r.comment, r.at AS rated_at
           FROM conversations c LEFT JOIN ratings r ON r.conversation_id = c.id WHERE c.id = $1`, [id]);
                const pages = await client.query('SELECT url, title, at FROM conversation_pages WHERE conversation_id = $1 ORDER BY at ASC, ord ASC', [id]);
                const row = extra.rows[0];
                if (row === undefined)
                    throw unavailable(new Error('conversation vanished mid-snapshot'));
                const detail = {
                    ...conv,
                    transcript: jsonArray(row.transcript) ?? [],
                    pages: pages.rows.map((p) => p.title === null ? { url: p.url, at: toInt(p.at) } : { url: p.url, title: p.title, at: toInt(p.at) }),
                };
                if (row.score !== null && row.rated_at !== null) {
                    detail.rating = { conversationId: id, score: row.score, scale: toRatingScale(row.scale), at: toInt(row.rated_at) };
                    if (row.comment !== null)
                        detail.rating.comment = row.comment;
                }
                if (row.closed_at !== null)
                    detail.closedAt = toInt(row.closed_at);
                if (row.closed_by === 'visitor' || row.closed_by === 'agent')
                    detail.closedBy = row.closed_by;
                if (row.close_reason !== null)
                    detail.closeReason = row.close_reason;
                return detail;
            });
        },
        async listRatings(since) {
            const { rows } = await query(`SELECT r.conversation_id, r.score, r.scale, r.comment, r.at, a.id AS agent_id, a.name AS agent_name, a.avatar_url AS agent_avatar_url
         FROM ratings r JOIN conversations c ON c.id = r.conversation_id LEFT JOIN agents a ON a.id = c.agent_id
         WHERE c.site_id = $1 AND r.at >= $2 ORDER BY r.at ASC, r.ord ASC`, [since.siteId, since.sinceMs]);
            return rows.map((row) => {
                const record = { conversationId: row.conversation_id, score: row.score, scale: toRatingScale(row.scale), at: toInt(row.at) };
                if (row.comment !== null)
                    record.comment = row.comment;
                if (row.agent_id !== null) {
                    record.agent = { id: row.agent_id, name: row.agent_name ?? '' };
                    if (row.agent_avatar_url !== null)
                        record.agent.avatarUrl = row.agent_avatar_url;
                }
                return record;
            });
        },
        async addNote(input) {
            const found = await query('SELECT 1 FROM conversations WHERE id = $1', [input.conversationId]);
            if (found.rowCount === 0)
                throw new ParleyError('CONVERSATION_NOT_FOUND', 'no such conversation');
            const { rows } = await query(`INSERT INTO notes (conversation_id, client_id, author_id, author_name, text, at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (conversation_id, client_id) DO NOTHING RETURNING ${NOTE_COLUMNS}`, [input.conversationId, input.clientId, input.author.id, input.author.name ?? null, input.text, now()]);
            if (rows[0] !== undefined)
                return { note: toNote(rows[0]), duplicate: false };
            const existing = await query(`SELECT ${NOTE_COLUMNS} FROM notes WHERE conversation_id = $1 AND client_id = $2`, [
                input.conversationId,
                input.clientId,
            ]);
            return { note: toNote(existing.rows[0]), duplicate: true };
        },
        async listNotes(conversationId, limit) {
            const { rows } = await query(`SELECT ${NOTE_COLUMNS} FROM notes WHERE conversation_id = $1 ORDER BY at ASC, ord ASC LIMIT $2`, [
                conversationId,
                Math.max(1, Math.floor(limit)),
            ]);
            return rows.map(toNote);
        },
        async rate(input) {
            if ((await storage.getConversation(input.conversationId)) === undefined) {
                throw new ParleyError('CONVERSATION_NOT_FOUND', 'no such conversation');
            }
            const inserted = await query('INSERT INTO ratings (conversation_id, score, scale, comment, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (conversation_id) DO NOTHING', [input.conversationId, input.score, input.scale ?? 'csat', input.comment ?? null, now()]);
            const { rows } = await query('SELECT conversation_id, score, scale, comment, at FROM ratings WHERE conversation_id = $1', [input.conversationId]);
            const row = rows[0];
            if (row === undefined)
                throw unavailable(new Error('rating vanished after insert'));
            const rating = { conversationId: row.conversation_id, score: row.score, scale: toRatingScale(row.scale), at: toInt(row.at) };
            if (row.comment !== null)
                rating.comment = row.comment;
            return { rating, created: inserted.rowCount === 1 };
        },
        async putAgentPresence(lease) {
            await query(`INSERT INTO agent_presence (connection_id, agent_id, site_id, node_id, availability, connected_at, seen_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)
         ON CONFLICT (connection_id) DO UPDATE SET availability = excluded.availability, seen_at = excluded.seen_at`, [lease.connectionId, lease.agentId, lease.siteId, lease.nodeId, lease.availability, lease.at]);
        },
        removeAgentPresence: (connectionId, at) => inTransaction(async (client) => {
            const { rows } = await client.query('DELETE FROM agent_presence WHERE connection_id = $1 RETURNING agent_id', [connectionId]);
            if (rows[0] === undefined)
                return;
            await client.query('UPDATE agents SET last_seen_at = GREATEST(COALESCE(last_seen_at, 0), $1) WHERE id = $2', [at, rows[0].agent_id]);
        }),
        async renewNodePresence(nodeId, at) {
            await query('UPDATE agent_presence SET seen_at = $1 WHERE node_id = $2', [at, nodeId]);
        },
        async setAgentCapacity(agentId, capacity) {
            await query('UPDATE agents SET capacity = $1 WHERE id = $2', [capacity, agentId]);
        },
        purgeLapsedPresence: (beforeMs) => inTransaction(async (client) => {
            // SKIP LOCKED: two nodes purging at once split the rows instead of queueing on each other.
            const { rows } = await client.query(`DELETE FROM agent_presence WHERE connection_id IN (
             SELECT connection_id FROM agent_presence WHERE seen_at < $1 FOR UPDATE SKIP LOCKED)
           RETURNING agent_id, seen_at`, [beforeMs]);
            const lastSeen = new Map();
            for (const row of rows)
                lastSeen.set(row.agent_id, Math.max(lastSeen.get(row.agent_id) ?? 0, toInt(row.seen_at)));
            for (const [agentId, at] of lastSeen) {
                await client.query('UPDATE agents SET last_seen_at = GREATEST(COALESCE(last_seen_at, 0), $1) WHERE id = $2', [at, agentId]);
            }
        }),
        async listAgentLoads(siteId, liveSinceMs) {
            const { rows } = await query(`SELECT a.id, a.name, a.avatar_url, a.capacity, a.last_assigned_at, MIN(p.connected_at) AS connected_at,
                MAX(CASE p.availability WHEN 'online' THEN 2 WHEN 'away' THEN 1 ELSE 0 END)::int AS rank,
                (SELECT COUNT(*) FROM conversations c WHERE c.agent_id = a.id AND c.status = 'assigned') AS active
         FROM agent_presence p JOIN agents a ON a.id = p.agent_id
         WHERE p.site_id = $1 AND p.seen_at >= $2
         GROUP BY a.id`, [siteId, liveSinceMs]);
            return rows.map((row) => ({
                agent: row.avatar_url === null ? { id: row.id, name: row.name } : { id: row.id, name: row.name, avatarUrl: row.avatar_url },
                availability: row.rank === 2 ? 'online' : row.rank === 1 ? 'away' : 'offline',
                capacity: row.capacity,
                activeCount: toInt(row.active),
                idleSinceMs: Math.max(row.last_assigned_at === null ? 0 : toInt(row.last_assigned_at), toInt(row.connected_at)),
            }));
        },
        assignNext: (siteId, agent) => transact(async (client) => {
            // The agent's row lock serialises this agent's assignments across nodes; NO KEY UPDATE leaves the
            // foreign-key checks of other writers unblocked. The count is a separate statement on purpose: at READ
            // COMMITTED it then takes a fresh snapshot after the lock wait and sees the previous holder's assignment
            // (a subquery of the locking statement would still count from before the wait).
            const locked = await client.query('SELECT capacity FROM agents WHERE id = $1 FOR NO KEY UPDATE', [agent.id]);
            const capacity = locked.rows[0]?.capacity;
            if (capacity === undefined)
                return { kind: 'full' };
            const active = await client.query(`SELECT COUNT(*) AS n FROM conversations WHERE agent_id = $1 AND status = 'assigned'`, [agent.id]);
            if (toInt(active.rows[0]?.n ?? 0) >= capacity)
                return { kind: 'full' };
            // SKIP LOCKED: a conversation another node is taking right now is passed over, not waited for.
            const next = await client.query(`SELECT id FROM conversations WHERE site_id = $1 AND status = 'queued'
           ORDER BY queued_at ASC, ord ASC LIMIT 1 FOR UPDATE SKIP LOCKED`, [siteId]);
            const id = next.rows[0]?.id;
            if (id === undefined)
                return { kind: 'empty' };
            const at = now();
            const taken = await client.query(`UPDATE conversations SET status = 'assigned', agent_id = $1, last_seq = last_seq + 1, assigned_at = $3
           WHERE id = $2 AND status = 'queued' RETURNING last_seq`, [agent.id, id, at]);
            if (taken.rows[0] === undefined)
                return { kind: 'empty' };
            await client.query('UPDATE agents SET last_assigned_at = $1 WHERE id = $2', [at, agent.id]);
            const author = { role: 'agent', id: agent.id, name: agent.name };
            const event = await writeEvent(client, id, author, `${agent.name} joined the conversation`, taken.rows[0].last_seq, 'joined');
            return { kind: 'assigned', transition: { changed: true, conversation: await getConversationWith(client, id), event } };
        }),
        transfer: (conversationId, fromAgentId, from, to) => transact(async (client) => {
            if (to !== undefined) {
                // The same lock and fresh count as assignNext, so a transfer and an automatic assignment cannot both take
                // the target's last seat.
                const locked = await client.query('SELECT capacity FROM agents WHERE id = $1 FOR NO KEY UPDATE', [to.id]);
                const capacity = locked.rows[0]?.capacity;
                const active = await client.query(`SELECT COUNT(*) AS n FROM conversations WHERE agent_id = $1 AND status = 'assigned'`, [to.id]);
                if (capacity === undefined || toInt(active.rows[0]?.n ?? 0) >= capacity) {
                    return { changed: false, conversation: await getConversationWith(client, conversationId), refusal: 'agent_full' };
                }
            }
            const { rows } = to === undefined
                ? await client.query(`UPDATE conversations SET status = 'queued', agent_id = NULL, queued_at = $1, last_seq = last_seq + 1
                 WHERE id = $2 AND status = 'assigned' AND agent_id = $3 RETURNING last_seq`, [now(), conversationId, fromAgentId])
                : await client.query(`UPDATE conversations SET agent_id = $1, last_seq = last_seq + 1
                 WHERE id = $2 AND status = 'assigned' AND agent_id = $3 RETURNING last_seq`, [to.id, conversationId, fromAgentId]);
            if (rows[0] === undefined)
                return { changed: false, conversation: await getConversationWith(client, conversationId), refusal: 'not_assigned' };
            const author = { role: 'agent', id: from.id, name: from.name };
            const text = to === undefined ? `${from.name} put the conversation back in the queue` : `${from.name} transferred the conversation to ${to.name}`;
            const event = await writeEvent(client, conversationId, author, text, rows[0].last_seq, to === undefined ? 'requeued' : 'transferred');
            return { changed: true, conversation: await getConversationWith(client, conversationId), event };
        }),
        requeueAbandoned: ({ liveSinceMs, goneBeforeMs }) => transact(async (client) => {
            // SKIP LOCKED: when two nodes sweep at once each row is taken by one of them; the conditional update
            // below would refuse a second move anyway.
            const { rows } = await client.query(`SELECT c.id, c.site_id, a.id AS agent_id, a.name AS agent_name, a.avatar_url AS agent_avatar_url
           FROM conversations c JOIN agents a ON a.id = c.agent_id
           WHERE c.status = 'assigned'
             AND NOT EXISTS (SELECT 1 FROM agent_presence p WHERE p.agent_id = a.id AND p.seen_at >= $1)
             AND GREATEST(COALESCE(a.last_seen_at, 0),
                          COALESCE((SELECT MAX(p.seen_at) FROM agent_presence p WHERE p.agent_id = a.id), 0)) < $2
           ORDER BY c.ord
           FOR UPDATE OF c SKIP LOCKED`, [liveSinceMs, goneBeforeMs]);
            const moved = [];
            for (const row of rows) {
                const updated = await client.query(`UPDATE conversations SET status = 'queued', agent_id = NULL, queued_at = $1, last_seq = last_seq + 1
             WHERE id = $2 AND status = 'assigned' AND agent_id = $3 RETURNING last_seq`, [now(), row.id, row.agent_id]);
                if (updated.rows[0] === undefined)
                    continue;
                const agent = row.agent_avatar_url === null ? { id: row.agent_id, name: row.agent_name } : { id: row.agent_id, name: row.agent_name, avatarUrl: row.agent_avatar_url };
                const event = await writeEvent(client, row.id, { role: 'system', id: 'system' }, `${agent.name} left; waiting for another agent`, updated.rows[0].last_seq, 'left');
                moved.push({ siteId: row.site_id, agent, transition: { changed: true, conversation: await getConversationWith(client, row.id), event } });
            }
            return moved;
        }),
        async listRecentWaits(siteId, limit) {
            const { rows } = await query(`SELECT assigned_at - queued_at AS wait FROM conversations
         WHERE site_id = $1 AND assigned_at IS NOT NULL AND queued_at IS NOT NULL AND assigned_at >= queued_at
         ORDER BY assigned_at DESC LIMIT $2`, [siteId, Math.max(1, Math.floor(limit))]);
            return rows.map((row) => toInt(row.wait)).reverse();
        },
        async listVisitorConversations(visitorId) {
            const { rows } = await query('SELECT id FROM conversations WHERE visitor_id = $1 ORDER BY created_at ASC, id ASC', [visitorId]);
            return rows.map((row) => row.id);
        },
        async eraseVisitor(visitorId) {
            // Queued appends land first, so no message of this visitor is written after the delete.
            await settleAppends();
            return inTransaction(async (client) => {
                // Locks the visitor row: a conversation start racing the erasure waits, then fails on the missing visitor.
                const found = await client.query('SELECT id FROM visitors WHERE id = $1 FOR UPDATE', [visitorId]);
                if (found.rowCount !== 1)
                    return undefined;
                const ofVisitor = 'SELECT id FROM conversations WHERE visitor_id = $1';
                const withFiles = await client.query(`SELECT attachments FROM messages WHERE conversation_id IN (${ofVisitor}) AND attachments IS NOT NULL`, [visitorId]);
                const attachmentUrls = withFiles.rows.flatMap((row) => (jsonArray(row.attachments) ?? []).map((a) => a.url));
                const messages = await client.query(`DELETE FROM messages WHERE conversation_id IN (${ofVisitor})`, [visitorId]);
                await client.query(`DELETE FROM conversation_pages WHERE conversation_id IN (${ofVisitor})`, [visitorId]);
                await client.query(`DELETE FROM ratings WHERE conversation_id IN (${ofVisitor})`, [visitorId]);
                const conversations = await client.query('DELETE FROM conversations WHERE visitor_id = $1', [visitorId]);
                await client.query('DELETE FROM visitors WHERE id = $1', [visitorId]);
                return { conversations: conversations.rowCount ?? 0, messages: messages.rowCount ?? 0, attachmentUrls };
            });
        },
        async applyRetention({ closedBefore, limit }) {
            await settleAppends();
            return inTransaction(async (client) => {
                // SKIP LOCKED: two nodes running the job at once split the work instead of waiting on each other.
                const { rows } = await client.query(`SELECT id FROM conversations WHERE status = 'closed' AND closed_at < $1 ORDER BY closed_at ASC LIMIT $2 FOR UPDATE SKIP LOCKED`, [closedBefore, Math.max(1, Math.floor(limit))]);
                const ids = rows.map((row) => row.id);
                if (ids.length > 0) {
                    await client.query('DELETE FROM messages WHERE conversation_id = ANY($1)', [ids]);
                    await client.query('DELETE FROM conversation_pages WHERE conversation_id = ANY($1)', [ids]);
                    await client.query('DELETE FROM ratings WHERE conversation_id = ANY($1)', [ids]);
                    await client.query('DELETE FROM conversations WHERE id = ANY($1)', [ids]);
                }
                const visitors = await client.query('DELETE FROM visitors v WHERE v.created_at < $1 AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.visitor_id = v.id)', [closedBefore]);
                return { conversations: ids.length, visitors: visitors.rowCount ?? 0 };
            });
        },
        async listAgents(siteId) {
            const { rows } = await query(`SELECT ${AGENT_COLUMNS}, a.created_at, (a.token_hash LIKE 'revoked:%' AND a.password_hash IS NULL) AS is_disabled
         FROM agents a WHERE a.site_id = $1 ORDER BY a.created_at ASC, a.id ASC`, [siteId]);
            return rows.map((row) => ({ ...toAgent(row), createdAt: toInt(row.created_at), disabled: row.is_disabled === true }));
        },
        async disableAgent(agentId) {
            return inTransaction(async (client) => {
                // Same stand-in as revokeAgentCredentials: token_hash is NOT NULL UNIQUE and no SHA-256 hex equals it.
                const { rowCount } = await client.query(`UPDATE agents SET token_hash = $1, password_hash = NULL, availability = 'offline' WHERE id = $2`, [`revoked:${randomUUID()}`, agentId]);
                if (rowCount !== 1)
                    return false;
                await client.query('DELETE FROM agent_sessions WHERE agent_id = $1', [agentId]);
                return true;
            });
        },
        drain: () => settleAppends(),
        async close() {
            if (isClosed)
                return;
            await settleAppends();
            isClosed = true;
            try {
                await pool.end();
            }
            catch (err) {
                throw toStorageError(err);
            }
        },
    };
    return storage;
}
/**
 * Brings the schema to the latest version in one transaction. The advisory lock (keyed by schema name) makes a
 * second node that starts at the same moment wait, then see the finished version and do nothing.
 */
async function migrate(pool, schema) {
    const client = await pool.connect();
    let releaseError;
    try {
        await client.query('BEGIN');
        await client.query(`SELECT pg_advisory_xact_lock(hashtext('parley_migrate:' || $1))`, [schema ?? '']);
        if (schema !== undefined) {
            // Look first: CREATE SCHEMA IF NOT EXISTS still needs CREATE on the database, which a production role given
            // a pre-made schema usually lacks. The name was validated against SCHEMA_NAME, so interpolation is safe.
            const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
            if (found.rowCount === 0)
                await client.query(`CREATE SCHEMA ${schema}`);
        }
        await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
        const { rows } = await client.query('SELECT version FROM schema_version');
        if (rows[0] === undefined)
            await client.query('INSERT INTO schema_version (version) VALUES (0)');
        const current = rows[0]?.version ?? 0;
        if (current > MIGRATIONS.length) {
            throw new ParleyError('STORAGE_UNAVAILABLE', `database schema version ${current} is newer than this server (${MIGRATIONS.length}); upgrade the server`);
        }
        for (let version = current; version < MIGRATIONS.length; version++)
            await client.query(MIGRATIONS[version]);
        if (current < MIGRATIONS.length)
            await client.query('UPDATE schema_version SET version = $1', [MIGRATIONS.length]);
        await client.query('COMMIT');
    }
    catch (err) {
        try {
            await client.query('ROLLBACK');
        }
        catch (rollbackErr) {
            // The connection is broken; destroy it. `err` is what the caller gets.
            releaseError = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
        }
        throw err;
    }
    finally {
        client.release(releaseError);
    }
}

export { generateSecret as A, describeError as B, isAdminCommand as C, DEFAULT_DB_PATH as D, createAgentRecord as E, IDENTITY_CLOCK_TOLERANCE_S as I, MIN_SECRET_LENGTH as M, POSTGRES_SCHEMA_VERSION as P, SIGNATURE_HEADER as S, TokenBucket as T, USAGE as U, DEFAULT_HELLO_TIMEOUT_MS as a, DEFAULT_PORT as b, DEFAULT_RATES as c, DEFAULT_VISITOR_TOKEN_TTL_MS as d, IDENTITY_JWT_MAX_AGE_S as e, SQLITE_SCHEMA_VERSION as f, conversationTopic as g, createJsonLogger as h, createMemoryFanout as i, createPostgresStorage as j, createRedisFanout as k, createServer as l, createSqliteStorage as m, createVisitorTokens as n, eraseVisitor as o, estimateWaitSeconds as p, ewmaMs as q, exportVisitor as r, hashAgentToken as s, loadConfig as t, signIdentity as u, signWebhook as v, siteAgentsTopic as w, verifyIdentity as x, verifyWebhookSignature as y, visitorTopic as z };
//# sourceMappingURL=postgres-DpWuqhTZ.js.map
