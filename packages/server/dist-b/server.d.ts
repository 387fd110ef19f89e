import { type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { type Limits } from '@parley/protocol';
import { type TrustProxy } from './client-address.js';
import { type Fanout } from './fanout/fanout.js';
import { type Logger } from './logger.js';
import { type RoutingOptions } from './routing/router.js';
import { type RateLimits } from './rate-limit.js';
import type { Agent, Storage } from './storage/storage.js';
import { type NewAgentInput } from './agents.js';
import { type ServerMetrics } from './server-metrics.js';
import { type WebhookOptions } from './webhooks.js';
import { type UploadOptions } from './uploads/upload-options.js';
import type { Mailer, MailerOptions } from './mail/mailer.js';
export interface CreateServerOptions {
    /** Token signing key (≥ 32 chars). Without one, a random key is used and tokens die with the process. */
    secret?: string;
    /** A Storage adapter. Default: SQLite at `dbPath`. */
    storage?: Storage;
    /** SQLite file when `storage` is not given. Default `:memory:`. */
    dbPath?: string;
    fanout?: Fanout;
    /** Attach to an existing HTTP server instead of creating one; only the /ws/* upgrades are taken. */
    httpServer?: HttpServer;
    /** Origins allowed to open visitor sockets (checked at upgrade, 403 otherwise), on top of each site's own list.
     * Default `'*'`: the sites' lists decide. Requests without an `Origin` header (non-browser clients) are allowed. */
    allowedOrigins?: '*' | readonly string[];
    /** Origins of agent consoles served from elsewhere. `/ws/agent` accepts browsers only from these and from this
     * server's own origin (the console at `/console/`). */
    consoleOrigins?: readonly string[];
    /** Client IPs (as `socket.remoteAddress` shows them, e.g. `::ffff:127.0.0.1`) exempt from the per-IP limits: a
     * load generator on one machine. Never list a reverse proxy here; that would switch the per-IP limits off. */
    rateExemptAddresses?: readonly string[];
    /**
     * Behind reverse proxies: how many there are (each appends to X-Forwarded-For), or their addresses / CIDR ranges.
     * The client address from X-Forwarded-For then keys the per-IP limits and the logs. Default off: the socket's peer.
     */
    trustProxy?: TrustProxy;
    /** Most sockets open at once from one client IP (IPv6: one /64); more are answered 429. Default 500. */
    maxConnectionsPerAddress?: number;
    logger?: Logger;
    /** Lower, never raise, the protocol limits. */
    limits?: Partial<Limits>;
    rates?: Partial<RateLimits>;
    visitorTokenTtlMs?: number;
    /** WebSocket ping period and the `heartbeatMs` told to clients. Default 25 s. */
    heartbeatMs?: number;
    /** How long a new socket may take to send `hello`. Default 10 s. */
    helloTimeoutMs?: number;
    now?: () => number;
    /** Directory of the built console (`@parley/console`'s dist); served at `/console/` when given. */
    consoleDir?: string;
    /**
     * Public asset folders by URL prefix, e.g. `{ '/widget/': widgetDist, '/faq/': faqFiles }`: what storefronts load
     * from this server (CORS-enabled, no SPA fallback).
     */
    assetDirs?: Readonly<Record<string, string>>;
    /** Lifetime of a console login session. Default 12 hours. */
    agentSessionTtlMs?: number;
    /** Automatic or manual assignment, and the grace a disconnected agent gets before their chats are requeued. */
    routing?: RoutingOptions;
    /** When set, `GET /metrics` needs `Authorization: Bearer <metricsToken>`. */
    metricsToken?: string;
    /** Signed POSTs of conversation, message and rating events (see webhooks.ts). */
    webhooks?: Omit<WebhookOptions, 'logger' | 'onOutcome' | 'store' | 'owner'>;
    /** Delete conversations closed more than this many days ago (checked hourly). Default: keep forever. */
    retentionDays?: number;
    /**
     * Called after a visitor erasure (`DELETE /api/admin/visitors/:id`) with the URLs of their attachments, to delete
     * the files where they are stored: Parley keeps only the links. A rejection is logged and reported as
     * `attachmentsDeleted: false`.
     */
    deleteAttachments?: (urls: string[]) => Promise<void>;
    /**
     * File uploads: `POST /api/uploads`, served at `/uploads/<id>`; message attachments must point at them. Stored on
     * disk (see UploadOptions for the folder); an erasure deletes them unless `deleteAttachments` is given.
     */
    uploads?: UploadOptions;
    /**
     * Transcript e-mails: `{ smtpUrl, from }` (SMTP through nodemailer) or `{ mailer, from? }`. Without it a
     * `transcript.email` is refused with EMAIL_UNAVAILABLE and the site's public config says `transcriptEmail: false`.
     */
    mail?: MailerOptions | {
        mailer: Mailer;
    };
}
export interface ParleyServer {
    readonly httpServer: HttpServer;
    readonly storage: Storage;
    readonly fanout: Fanout;
    /** Listens (own HTTP server only, or an attached one not yet listening). Port 0 picks a free port. */
    listen(port?: number, host?: string): Promise<{
        port: number;
        url: string;
    }>;
    /**
     * Graceful shutdown: refuse new sockets (503), let in-flight frames finish for up to `graceMs`, flush pending
     * writes, close every socket with 1001, then close the HTTP server (if owned) and the storage (if owned).
     */
    close(options?: {
        graceMs?: number;
    }): Promise<void>;
    /**
     * Creates an agent and returns its token, which is shown only now (only its hash is stored). With `email` and
     * `password` the agent can also log in to the console (`POST /api/login`).
     */
    createAgent(input: NewAgentInput): Promise<{
        agent: Agent;
        token: string;
    }>;
    /** Open sockets, for metrics and tests. */
    connectionCount(): number;
    /**
     * Revokes an agent's token and login sessions, and closes their live sockets (every node sharing the fanout) with
     * `AUTH_INVALID_TOKEN` / 4001. False for an unknown agent.
     */
    revokeAgent(agentId: string): Promise<boolean>;
    /** The Prometheus series served at `/metrics`. */
    readonly metrics: ServerMetrics;
    /**
     * The HTTP handler (`/healthz`, `/api/`, `/console/`, asset folders; 404 otherwise). With your own `httpServer`,
     * route those paths to it.
     */
    readonly handleRequest: (req: IncomingMessage, res: ServerResponse) => void;
}
/** How long a new socket may stay without a successful `hello` (unauthenticated) before it is closed with 4003. */
export declare const DEFAULT_HELLO_TIMEOUT_MS = 10000;
/**
 * Builds a Parley server. Nothing listens until `listen()`.
 * @example
 * const server = createServer({ dbPath: './parley.db', secret: process.env.PARLEY_SECRET });
 * const { url } = await server.listen(8080);
 */
export declare function createServer(options?: CreateServerOptions): ParleyServer;
