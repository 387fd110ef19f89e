// Command line and environment → a typed, validated ServerConfig, once at boot. No I/O beyond reading its inputs.

import { isIP } from 'node:net';
import { ParleyError } from '@parley/protocol';
import { LOG_LEVELS, type LogLevel } from './logger.js';
import { isAdminCommand, loadOpsConfig, OPS_OPTIONS, OPS_OPTIONS_USAGE, OPS_USAGE, type AdminCommand, type OpsConfig } from './ops-config.js';
import { DEFAULT_VISITOR_TOKEN_TTL_MS, MIN_SECRET_LENGTH } from './token.js';
import { parseTrustProxy, type TrustProxy } from './client-address.js';

export type CliCommand = 'serve' | 'create-agent' | 'help' | AdminCommand;

/** Everything the bin needs, validated. */
export interface ServerConfig {
  command: CliCommand;
  port: number;
  host: string;
  /** SQLite file path, or `:memory:`. */
  dbPath: string;
  /** Token signing key; undefined means "read or create one next to the database". */
  secret: string | undefined;
  allowedOrigins: '*' | string[];
  logLevel: LogLevel;
  visitorTokenTtlMs: number;
  /** `create-agent --name`. */
  agentName: string | undefined;
  /** `create-agent --email` (console login). */
  agentEmail: string | undefined;
  /** `create-agent --password` or `PARLEY_AGENT_PASSWORD` (the env var keeps it out of shell history). */
  agentPassword: string | undefined;
  /** `create-agent --admin`. */
  isAdmin: boolean;
  /** Built console to serve at /console/ (`--console-dir`); undefined serves none. */
  consoleDir: string | undefined;
  /** Messages per second one connection may send (burst: three seconds' worth); undefined keeps the default. */
  messageRate: number | undefined;
  /** Retention, metrics token, webhooks, and the admin commands' arguments (ops-config.ts). */
  ops: OpsConfig;
  /** Origins of agent consoles served elsewhere (`--console-origins`); this server's own origin is always allowed. */
  consoleOrigins: string[];
  /** Client IPs exempt from the per-IP limits (`--rate-exempt-ips`): load generators, never a proxy. */
  rateExemptAddresses: string[];
  /** Reverse proxies in front (`--trust-proxy`): a hop count or their addresses; undefined trusts no X-Forwarded-For. */
  trustProxy: TrustProxy | undefined;
  /** PostgreSQL connection URL (`--database-url` / `DATABASE_URL`); when set it replaces SQLite. */
  databaseUrl: string | undefined;
  /** Postgres schema for Parley's tables (`--database-schema`); undefined uses the connection's search_path. */
  databaseSchema: string | undefined;
  /** Redis URL for cross-node fan-out (`--redis-url` / `REDIS_URL`); undefined keeps fan-out in memory. */
  redisUrl: string | undefined;
  /** Prefix of every Redis channel, so deployments (and tests) sharing one Redis stay apart. */
  redisPrefix: string;
  /** `auto`: queued conversations go to the least-loaded online agent; `manual`: agents pick from the queue. */
  assignment: 'auto' | 'manual';
  /** How long an agent may stay disconnected before their conversations go back to the queue. */
  agentGraceMs: number;
  /** Largest upload in bytes (`--upload-max-mb`); undefined keeps the default (10 MB). */
  uploadMaxBytes: number | undefined;
  /** This server's public origin (`--public-url`), used in the upload URLs it hands out; undefined: the Host header. */
  publicUrl: string | undefined;
  /** SMTP for transcript e-mails (`--smtp-url` with `--mail-from`); undefined: no e-mail is offered. */
  mail: { smtpUrl: string; from: string } | undefined;
}

export const DEFAULT_PORT = 8080;
export const DEFAULT_DB_PATH = './.parley-data/parley.db';
export const DEFAULT_REDIS_PREFIX = 'parley:';
/** Long enough to ride out a page reload or a network blip, short enough that a visitor is not left alone. */
export const DEFAULT_AGENT_GRACE_MS = 30_000;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
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
  'trust-proxy': 'PARLEY_TRUST_PROXY',
  'database-url': 'DATABASE_URL',
  'database-schema': 'PARLEY_DATABASE_SCHEMA',
  'redis-url': 'REDIS_URL',
  'redis-prefix': 'PARLEY_REDIS_PREFIX',
  assignment: 'PARLEY_ASSIGNMENT',
  'agent-grace-ms': 'PARLEY_AGENT_GRACE_MS',
  'upload-max-mb': 'PARLEY_UPLOAD_MAX_MB',
  'public-url': 'PARLEY_PUBLIC_URL',
  'smtp-url': 'PARLEY_SMTP_URL',
  'mail-from': 'PARLEY_MAIL_FROM',
  name: undefined,
  email: undefined,
  password: 'PARLEY_AGENT_PASSWORD',
  admin: undefined,
} as const satisfies Record<string, string | undefined>;

/** Flags that take no value. */
const SWITCHES: ReadonlySet<string> = new Set(['admin']);

type OptionName = keyof typeof OPTIONS;

export const USAGE = `Usage: parley-server [serve] [options]
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
  --smtp-url <url>         PARLEY_SMTP_URL         SMTP server for transcript e-mails (smtp://user:pass@host:587,
                                                   STARTTLS required off loopback unless ?requireTLS=false; or
                                                   smtps://…:465); without it shoppers are not offered e-mail
  --mail-from <address>    PARLEY_MAIL_FROM        From of those e-mails, e.g. "Shop <help@shop.example>" (needed
                                                   with --smtp-url)
  --console-dir <dir>      PARLEY_CONSOLE_DIR      serve the built agent console at /console/ (default: none)
  --console-origins <list> PARLEY_CONSOLE_ORIGINS  origins of consoles served elsewhere that may open /ws/agent
                                                   (this server's own origin always may; default: none)
  --rate-exempt-ips <list> PARLEY_RATE_EXEMPT_IPS  client IPs the per-IP limits skip: load generators only, never
                                                   a reverse proxy (default: none)
  --trust-proxy <n|list>   PARLEY_TRUST_PROXY      behind reverse proxies: their number (1 for one nginx) or their
                                                   addresses/ranges (10.0.0.0/8,::1); the client IP then comes from
                                                   X-Forwarded-For for per-IP limits and logs (default: off)
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
                                                   this long (default ${DEFAULT_AGENT_GRACE_MS})
${OPS_OPTIONS_USAGE}                           PARLEY_SECRET           token signing key (>= ${MIN_SECRET_LENGTH} chars); generated and
                                                   stored next to the database when absent

create-agent prints the agent's token once. With --email and --password (or PARLEY_AGENT_PASSWORD, which keeps
the password out of shell history) the agent can also log in to the console; --admin lets them see every
agent's figures.
`;

function invalid(message: string): ParleyError {
  return new ParleyError('CONFIG_INVALID', `${message}\n\n${USAGE}`);
}

function parseArgv(argv: readonly string[]): { command: CliCommand; flags: Partial<Record<OptionName, string>> } {
  let command: CliCommand = 'serve';
  const flags: Partial<Record<OptionName, string>> = {};
  let i = 0;
  if (argv[0] !== undefined && !argv[0].startsWith('-')) {
    if (argv[0] !== 'serve' && argv[0] !== 'create-agent' && argv[0] !== 'help' && !isAdminCommand(argv[0])) {
      throw invalid(`unknown command "${argv[0]}"`);
    }
    command = argv[0];
    i = 1;
  }
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      command = 'help';
      continue;
    }
    if (!arg.startsWith('--')) throw invalid(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = (eq === -1 ? arg.slice(2) : arg.slice(2, eq)) as OptionName;
    if (!Object.prototype.hasOwnProperty.call(OPTIONS, name)) throw invalid(`unknown option "--${name}"`);
    if (SWITCHES.has(name)) {
      if (eq !== -1) throw invalid(`--${name} takes no value`);
      flags[name] = 'true';
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined || (eq === -1 && value.startsWith('--'))) throw invalid(`--${name} needs a value`);
    flags[name] = value;
  }
  return { command, flags };
}

function parseOrigins(raw: string): '*' | string[] {
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) throw invalid('allowed origins: give a comma-separated list of origins, or *');
  if (items.includes('*')) {
    if (items.length > 1) throw invalid('allowed origins: * cannot be combined with other origins');
    return '*';
  }
  for (const item of items) {
    let origin: string;
    try {
      origin = new URL(item).origin;
    } catch {
      throw invalid(`allowed origins: "${item}" is not an origin like https://shop.example`);
    }
    if (origin !== item) throw invalid(`allowed origins: "${item}" should be written "${origin}" (scheme://host[:port], no path)`);
  }
  return items;
}

function parseConsoleOrigins(raw: string): string[] {
  const origins = parseOrigins(raw);
  if (origins === '*') throw invalid('console origins: list the consoles\' origins; * would let any page drive an agent\'s socket');
  return origins;
}

function parseAddresses(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const item of items) {
    if (isIP(item) === 0) throw invalid(`rate-exempt IPs: "${item}" is not an IP address`);
  }
  return items;
}

/**
 * Reads flags and env into a ServerConfig. Throws `ParleyError('CONFIG_INVALID')` with a message naming the bad
 * setting; the bin prints it and exits with code 2.
 * @example
 * const config = loadConfig(process.argv.slice(2), process.env);
 */
export function loadConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ServerConfig {
  const { command, flags } = parseArgv(argv);
  const get = (name: OptionName): string | undefined => {
    const envName = OPTIONS[name];
    const value = flags[name] ?? (envName === undefined ? undefined : env[envName]);
    return value === undefined || value === '' ? undefined : value;
  };
  const source = (name: OptionName) => (flags[name] !== undefined ? `--${name}` : (OPTIONS[name] ?? `--${name}`));

  const portText = get('port');
  let port = DEFAULT_PORT;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) throw invalid(`${source('port')} must be an integer 0–65535, got "${portText}"`);
  }

  const logLevel = (get('log-level') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw invalid(`${source('log-level')} must be one of ${LOG_LEVELS.join(', ')}`);

  const ttlText = get('token-ttl-days');
  let visitorTokenTtlMs = DEFAULT_VISITOR_TOKEN_TTL_MS;
  if (ttlText !== undefined) {
    const days = Number(ttlText);
    if (!Number.isFinite(days) || days <= 0 || days > 3650) {
      throw invalid(`${source('token-ttl-days')} must be a number of days in (0, 3650], got "${ttlText}"`);
    }
    visitorTokenTtlMs = Math.round(days * 24 * 60 * 60 * 1000);
    if (visitorTokenTtlMs < 60_000) throw invalid(`${source('token-ttl-days')} must be at least one minute`);
  }

  const secret = env.PARLEY_SECRET === '' ? undefined : env.PARLEY_SECRET;
  if (secret !== undefined && secret.length < MIN_SECRET_LENGTH) {
    throw invalid(`PARLEY_SECRET must be at least ${MIN_SECRET_LENGTH} characters (try: openssl rand -base64 32)`);
  }

  const rateText = get('message-rate');
  let messageRate: number | undefined;
  if (rateText !== undefined) {
    messageRate = Number(rateText);
    if (!Number.isFinite(messageRate) || messageRate <= 0 || messageRate > 100_000) {
      throw invalid(`${source('message-rate')} must be a number of messages per second in (0, 100000], got "${rateText}"`);
    }
  }

  const uploadText = get('upload-max-mb');
  let uploadMaxBytes: number | undefined;
  if (uploadText !== undefined) {
    const mb = Number(uploadText);
    if (!Number.isFinite(mb) || mb <= 0 || mb > 1024) throw invalid(`${source('upload-max-mb')} must be a number of MB in (0, 1024], got "${uploadText}"`);
    uploadMaxBytes = Math.floor(mb * 1024 * 1024);
  }
  const publicUrl = get('public-url');
  if (publicUrl !== undefined && !/^https?:\/\/[^/?#\s]+\/?$/.test(publicUrl)) {
    throw invalid(`${source('public-url')} must be an origin like https://chat.example, got "${publicUrl}"`);
  }

  const smtpUrl = get('smtp-url');
  const mailFrom = get('mail-from');
  if (smtpUrl !== undefined && !/^smtps?:\/\/[^\s/?#]+(?:\/[^\s]*)?$/.test(smtpUrl)) {
    throw invalid(`${source('smtp-url')} must be an smtp:// or smtps:// URL`);
  }
  if ((smtpUrl === undefined) !== (mailFrom === undefined)) {
    throw invalid(`${source('smtp-url')} and ${source('mail-from')} go together: set both to send transcript e-mails, or neither`);
  }
  if (mailFrom !== undefined && (mailFrom.length > 320 || /[\r\n]/.test(mailFrom) || !/@[^\s@>]+\.[^\s@>]+>?$/.test(mailFrom))) {
    throw invalid(`${source('mail-from')} must be an address like "Shop <help@shop.example>" or help@shop.example`);
  }

  const agentName = get('name');
  if (command === 'create-agent' && (agentName === undefined || agentName.trim() === '' || agentName.length > 512)) {
    throw invalid('create-agent needs --name <name> (1–512 characters)');
  }
  if (command !== 'create-agent' && agentName !== undefined) throw invalid('--name is only for create-agent');
  const agentEmail = get('email');
  // The password may come from the env; only a flag outside create-agent is an error.
  const agentPassword = command === 'create-agent' ? get('password') : undefined;
  const isAdmin = get('admin') === 'true';
  if (command !== 'create-agent' && (agentEmail !== undefined || flags.password !== undefined || isAdmin)) {
    throw invalid('--email, --password and --admin are only for create-agent');
  }
  if ((agentEmail === undefined) !== (agentPassword === undefined)) {
    throw invalid('create-agent needs both --email and --password (or PARLEY_AGENT_PASSWORD) for a console login, or neither');
  }

  const databaseUrl = get('database-url');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\/[^\s]+$/.test(databaseUrl)) {
    throw invalid(`${source('database-url')} must be a postgres:// or postgresql:// URL`);
  }
  const databaseSchema = get('database-schema');
  if (databaseSchema !== undefined && !SCHEMA_NAME.test(databaseSchema)) {
    throw invalid(`${source('database-schema')} must be lowercase letters, digits and _ (at most 63), got "${databaseSchema}"`);
  }
  if (databaseSchema !== undefined && databaseUrl === undefined) throw invalid(`${source('database-schema')} needs --database-url (DATABASE_URL)`);
  const redisUrl = get('redis-url');
  if (redisUrl !== undefined && !/^rediss?:\/\/[^\s]+$/.test(redisUrl)) {
    throw invalid(`${source('redis-url')} must be a redis:// or rediss:// URL`);
  }
  const redisPrefix = get('redis-prefix') ?? DEFAULT_REDIS_PREFIX;
  if (!REDIS_PREFIX.test(redisPrefix)) {
    throw invalid(`${source('redis-prefix')} must be 1–64 characters of letters, digits and : _ . -, got "${redisPrefix}"`);
  }
  const assignment = get('assignment') ?? 'manual';
  if (assignment !== 'manual' && assignment !== 'auto') throw invalid(`${source('assignment')} must be manual or auto, got "${assignment}"`);
  const graceText = get('agent-grace-ms');
  let agentGraceMs = DEFAULT_AGENT_GRACE_MS;
  if (graceText !== undefined) {
    agentGraceMs = Number(graceText);
    if (!/^\d+$/.test(graceText) || agentGraceMs < 100 || agentGraceMs > 86_400_000) {
      throw invalid(`${source('agent-grace-ms')} must be whole milliseconds in [100, 86400000], got "${graceText}"`);
    }
  }

  const consoleOriginsText = get('console-origins');
  const trustProxyText = get('trust-proxy');

  return {
    command,
    port,
    host: get('host') ?? '0.0.0.0',
    dbPath: get('db') ?? DEFAULT_DB_PATH,
    secret,
    allowedOrigins: parseOrigins(get('allowed-origins') ?? '*'),
    logLevel,
    visitorTokenTtlMs,
    agentName: agentName?.trim(),
    agentEmail,
    agentPassword,
    isAdmin,
    consoleDir: get('console-dir'),
    messageRate,
    ops: loadOpsConfig(command, get, env, invalid),
    consoleOrigins: consoleOriginsText === undefined ? [] : parseConsoleOrigins(consoleOriginsText),
    rateExemptAddresses: parseAddresses(get('rate-exempt-ips')),
    trustProxy: trustProxyText === undefined ? undefined : parseTrustProxy(trustProxyText),
    databaseUrl,
    databaseSchema,
    redisUrl,
    redisPrefix,
    assignment,
    agentGraceMs,
    uploadMaxBytes,
    publicUrl,
    mail: smtpUrl === undefined || mailFrom === undefined ? undefined : { smtpUrl, from: mailFrom },
  };
}
