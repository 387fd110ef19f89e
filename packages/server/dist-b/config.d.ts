import { type LogLevel } from './logger.js';
import { type AdminCommand, type OpsConfig } from './ops-config.js';
import { type TrustProxy } from './client-address.js';
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
    mail: {
        smtpUrl: string;
        from: string;
    } | undefined;
}
export declare const DEFAULT_PORT = 8080;
export declare const DEFAULT_DB_PATH = "./.parley-data/parley.db";
export declare const DEFAULT_REDIS_PREFIX = "parley:";
/** Long enough to ride out a page reload or a network blip, short enough that a visitor is not left alone. */
export declare const DEFAULT_AGENT_GRACE_MS = 30000;
export declare const USAGE: string;
/**
 * Reads flags and env into a ServerConfig. Throws `ParleyError('CONFIG_INVALID')` with a message naming the bad
 * setting; the bin prints it and exits with code 2.
 * @example
 * const config = loadConfig(process.argv.slice(2), process.env);
 */
export declare function loadConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ServerConfig;
