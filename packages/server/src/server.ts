// The HTTP side: /healthz, /readyz, /metrics, WebSocket upgrade on /ws/visitor and /ws/agent (origin check, 503 while draining),
// heartbeat sweep, graceful shutdown. Hands every socket to a Connection and /api, /console to src/http/;
// knows no frame semantics.

import { STATUS_CODES, createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, DEFAULT_HEARTBEAT_MS, DEFAULT_LIMITS, ParleyError, type Limits, type Role, type ServerFrame } from '@parley/protocol';
import { Connection } from './connection.js';
import { clientAddress, createHandshakeGate } from './handshake.js';
import { createAddressResolver, rememberClientAddress, type TrustProxy } from './client-address.js';
import { createSharedLimits } from './shared-limits.js';
import { agentTopic, credentialTopic, visitorTopic, type Fanout } from './fanout/fanout.js';
import { createMemoryFanout } from './fanout/memory.js';
import type { ServerServices } from './handlers/context.js';
import { createJsonLogger, describeError, type Logger } from './logger.js';
import { AgentPresence } from './presence.js';
import { Router, type RoutingOptions } from './routing/router.js';
import { DEFAULT_RATES, TokenBucket, type RateLimits } from './rate-limit.js';
import { createSqliteStorage } from './storage/sqlite.js';
import type { Agent, Storage } from './storage/storage.js';
import { createVisitorTokens, generateSecret, type VisitorTokens } from './token.js';
import { createAgentRecord, type NewAgentInput } from './agents.js';
import { createApiRouter } from './http/api-router.js';
import { createConsoleAuth } from './http/auth.js';
import { createStaticHandler } from './http/static.js';
import { observeStorage } from './domain-events.js';
import { createHealthHandler } from './http/health.js';
import { createMetricsEndpoint } from './http/metrics-endpoint.js';
import { createServerMetrics, type QueueSnapshot, type ServerMetrics } from './server-metrics.js';
import { createWebhookDispatcher, type WebhookOptions } from './webhooks.js';
import { createAdminRouter } from './http/admin-router.js';
import { createPublicSiteHandler } from './http/public-site.js';
import { startRetention } from './gdpr.js';
import { resolveUploads, type UploadOptions } from './uploads/upload-options.js';
import { createUploadRoutes } from './uploads/upload-routes.js';
import { createTranscriptMail } from './mail/transcript-mail.js';
import type { SharedBudgets } from './shared-budgets.js';
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
   * Transcript e-mails: `{ smtpUrl, from }` (SMTP through nodemailer; the server closes it) or `{ mailer }` (the
   * caller's, which the caller closes). Without it a `transcript.email` is refused with EMAIL_UNAVAILABLE and the
   * site's public config says `transcriptEmail: false`.
   */
  mail?: MailerOptions | { mailer: Mailer };
  /**
   * Budgets every node spends together (createRedisBudgets, which the bin opens when REDIS_URL is set), for the
   * transcript e-mail limits; default this process only. The caller closes them.
   */
  budgets?: SharedBudgets;
}

/** Console login sessions last one working day; agents log in again the next. */
const DEFAULT_AGENT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface ParleyServer {
  readonly httpServer: HttpServer;
  readonly storage: Storage;
  readonly fanout: Fanout;
  /** Listens (own HTTP server only, or an attached one not yet listening). Port 0 picks a free port. */
  listen(port?: number, host?: string): Promise<{ port: number; url: string }>;
  /**
   * Graceful shutdown: refuse new sockets (503), let in-flight frames finish for up to `graceMs`, flush pending
   * writes, close every socket with 1001, then close the HTTP server (if owned) and the storage (if owned).
   */
  close(options?: { graceMs?: number }): Promise<void>;
  /**
   * Creates an agent and returns its token, which is shown only now (only its hash is stored). With `email` and
   * `password` the agent can also log in to the console (`POST /api/login`).
   */
  createAgent(input: NewAgentInput): Promise<{ agent: Agent; token: string }>;
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
export const DEFAULT_HELLO_TIMEOUT_MS = 10_000;

const ENDPOINTS: Readonly<Record<string, Role>> = { '/ws/visitor': 'visitor', '/ws/agent': 'agent' };

/** Room over maxFrameBytes so a slightly large frame reaches the decoder and gets an error frame before the 1009. */
const PAYLOAD_SLACK_BYTES = 1024;

function rejectUpgrade(socket: Duplex, status: number, text: string, headers: Record<string, string> = {}): void {
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
export function createServer(options: CreateServerOptions = {}): ParleyServer {
  const logger = options.logger ?? createJsonLogger({ level: 'info' });
  const now = options.now ?? Date.now;
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  for (const key of Object.keys(DEFAULT_LIMITS) as Array<keyof Limits>) {
    if (!(limits[key] > 0) || limits[key] > DEFAULT_LIMITS[key]) {
      throw new ParleyError('CONFIG_INVALID', `limits.${key} must be in (0, ${DEFAULT_LIMITS[key]}]`);
    }
  }
  const rates: RateLimits = { ...DEFAULT_RATES, ...options.rates };
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
  const tokens: VisitorTokens = createVisitorTokens({ secret, ttlMs: options.visitorTokenTtlMs, now });
  const ownsStorage = options.storage === undefined;
  const baseStorage =
    options.storage ??
    createSqliteStorage({ path: options.dbPath ?? ':memory:', now, onError: (err) => logger.error('storage.checkpoint_failed', describeError(err)) });
  // Names this process's presence and webhook leases: a node that dies leaves leases nobody renews, which lapse.
  const nodeId = `n_${randomUUID()}`;
  const metrics = createServerMetrics({ connections: () => countByRole(), queues: () => queueSnapshots(), now });
  const webhooks =
    options.webhooks === undefined || options.webhooks.endpoints.length === 0
      ? undefined
      : createWebhookDispatcher({
          ...options.webhooks,
          logger,
          store: baseStorage,
          owner: nodeId,
          onOutcome: (event, outcome) => metrics.countWebhook(event, outcome),
        });
  // Each change writes its webhook rows in its own transaction (a crash cannot keep one without the other); only a
  // server with endpoints sets the writer, so one without pays nothing.
  if (webhooks !== undefined) baseStorage.setWebhookOutbox(webhooks.writer);
  // Metrics hear about every effective change, whoever made it (handlers, REST, routing).
  const storage = observeStorage(baseStorage, (event) => metrics.onEvent(event), now);
  const ownsFanout = options.fanout === undefined;
  const ownsMailer = options.mail !== undefined && !('mailer' in options.mail);
  const fanout =
    options.fanout ?? createMemoryFanout({ onListenerError: (err, topic) => logger.error('fanout.listener_failed', { topic, ...describeError(err) }) });
  const allowedOrigins = options.allowedOrigins ?? '*';
  const handshakeGate = createHandshakeGate({ storage, allowedOrigins, consoleOrigins: options.consoleOrigins ?? [], handshakes: rates.handshakes, exemptAddresses: options.rateExemptAddresses, maxConnectionsPerAddress: options.maxConnectionsPerAddress });
  const sharedLimits = createSharedLimits(rates, options.rateExemptAddresses);

  // Per visitor, not per socket: opening more sockets must not buy more conversations.
  const startBuckets = new Map<string, TokenBucket>();
  const uploadSetup = resolveUploads(options.uploads ?? {}, options.storage === undefined ? (options.dbPath ?? ':memory:') : undefined);
  const services: ServerServices = {
    storage,
    fanout,
    tokens,
    limits,
    logger,
    presence: new AgentPresence({ storage, nodeId, now, logger }),
    // Replaced right below: the router needs the finished services object.
    router: undefined as unknown as Router,
    heartbeatMs,
    now,
    countError: (code) => metrics.countError(code, 'ws'),
    uploads: uploadSetup.store,
    ...(options.mail === undefined ? {} : { mail: createTranscriptMail({ ...options.mail, now, ...(options.budgets === undefined ? {} : { budgets: options.budgets }) }) }),
    takeConversationStart(visitorId) {
      let bucket = startBuckets.get(visitorId);
      if (bucket === undefined) startBuckets.set(visitorId, (bucket = new TokenBucket(rates.conversationStarts, now())));
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
    onSessionEnded: (tokenHash) =>
      fanout.publish(credentialTopic(tokenHash), { frame: { type: 'error', code: 'AUTH_INVALID_TOKEN', message: 'this session was logged out' } }),
  });
  const api = createApiRouter({ storage, auth, logger, now, onError: (code) => metrics.countError(code, 'http'), liveSince: () => services.router.liveSince() });
  // Every live socket of the agent, on every node sharing the fanout, gets the error and closes with 4001.
  const closeAgentSockets = (agentId: string): Promise<void> =>
    fanout.publish(agentTopic(agentId), { frame: { type: 'error', code: 'AUTH_INVALID_TOKEN', message: 'your access was revoked' } });
  const admin = createAdminRouter({
    storage,
    auth,
    logger,
    now,
    onError: (code) => metrics.countError(code, 'http'),
    onAgentDisabled: closeAgentSockets,
    // An erased visitor's open sockets (on every node) end now rather than act for a visitor who no longer exists.
    onVisitorErased: (visitorId) =>
      fanout.publish(visitorTopic(visitorId), { frame: { type: 'error', code: 'AUTH_INVALID_TOKEN', message: 'this visitor was erased' } }),
    deleteAttachments:
      options.deleteAttachments ??
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
  const publicSite = createPublicSiteHandler({ storage, logger, now, canEmailTranscript: services.mail !== undefined });
  const serveConsole = options.consoleDir === undefined ? undefined : createStaticHandler({ dir: options.consoleDir, prefix: '/console/' });
  const assetHandlers = Object.entries(options.assetDirs ?? {}).map(([prefix, dir]) => {
    const slashed = prefix.endsWith('/') ? prefix : `${prefix}/`;
    return { prefix: slashed, serve: createStaticHandler({ dir, prefix: slashed, isPublicAsset: true }) };
  });

  const ownsHttp = options.httpServer === undefined;
  const httpServer = options.httpServer ?? createHttpServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes + PAYLOAD_SLACK_BYTES, perMessageDeflate: false });
  const connections = new Set<Connection>();
  const connectionRoles = new Map<Connection, Role>();
  const countByRole = () => {
    const counts = { visitor: 0, agent: 0 };
    for (const role of connectionRoles.values()) counts[role === 'visitor' ? 'visitor' : 'agent']++;
    return counts;
  };
  const queueSnapshots = async (): Promise<QueueSnapshot[]> =>
    Promise.all(
      (await storage.listSites()).map(async (site) => {
        const queue = await storage.listQueue(site.id);
        return { siteKey: site.key, length: queue.length, oldestQueuedAt: queue[0]?.queuedAt };
      }),
    );
  const probes = createHealthHandler({
    isDraining: () => isShuttingDown,
    logger,
    checks: {
      storage: () => storage.getDefaultSite(),
      // A publish nobody listens to: it fails (FANOUT_UNAVAILABLE) only when the transport is down.
      fanout: () => fanout.publish('parley:readyz', { frame: { type: 'pong' } as ServerFrame }),
    },
  });
  const serveMetrics = createMetricsEndpoint({ render: () => metrics.render(), ...(options.metricsToken === undefined ? {} : { token: options.metricsToken }) });
  let isShuttingDown = false;
  let closing: Promise<void> | undefined;

  const resolveAddress = createAddressResolver(options.trustProxy);
  if (typeof options.trustProxy === 'number' && options.trustProxy > 0) {
    // A hop count believes X-Forwarded-For from any peer: reached directly, a client names its own address and gets
    // fresh per-IP budgets on every request. The proxies' addresses are believed only from those proxies.
    logger.warn('config.trust_proxy_hops', {
      hops: options.trustProxy,
      note: 'X-Forwarded-For is trusted from any peer; unless only the proxy can reach this port, give the proxy addresses instead',
    });
  }
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    rememberClientAddress(req, resolveAddress);
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      // A request target URL cannot parse (e.g. `http://[`): answer it rather than throw out of the listener.
      res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request');
      return;
    }
    const fail = (err: unknown) => {
      logger.error('http.failed', describeError(err));
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
      else res.destroy();
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
      if (asset !== undefined) return asset.serve(req, res);
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
  const onUpgradeSocketError = (err: Error): void => logger.debug('upgrade.socket_error', describeError(err));
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', onUpgradeSocketError);
    rememberClientAddress(req, resolveAddress);
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      path = '';
    }
    const role = ENDPOINTS[path];
    if (role === undefined) {
      // On a shared server other upgrade listeners may own this path.
      if (ownsHttp) rejectUpgrade(socket, 404, 'Not Found');
      return;
    }
    if (isShuttingDown) {
      rejectUpgrade(socket, 503, 'Service Unavailable');
      return;
    }
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    handshakeGate.check(req, role, now()).then(
      (refusal) => {
        if (refusal !== undefined) {
          const fields = { role, origin, address: clientAddress(req), code: refusal.code, status: refusal.status };
          // A flood is thousands of refusals: those log at debug, so the log does not become the attack's amplifier.
          if (refusal.code === 'RATE_LIMITED') logger.debug('upgrade.refused', fields);
          else logger.info('upgrade.refused', fields);
          rejectUpgrade(socket, refusal.status, refusal.text, refusal.headers);
        } else if (isShuttingDown) rejectUpgrade(socket, 503, 'Service Unavailable');
        else acceptUpgrade(req, socket, head, role, origin);
      },
      (err: unknown) => {
        logger.error('upgrade.check_failed', describeError(err));
        rejectUpgrade(socket, 503, 'Service Unavailable');
      },
    );
  };

  const acceptUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer, role: Role, origin: string | undefined): void => {
    const address = clientAddress(req);
    wss.handleUpgrade(req, socket, head, (ws) => openConnection(ws, socket, role, origin, address));
  };
  const serverIsShuttingDown = () => isShuttingDown;
  // Its own function, not a closure inside the upgrade callback: the connection's callbacks would otherwise keep
  // that scope's request, socket and head buffer alive for the life of every socket (RSS per idle visitor).
  const openConnection = (ws: WebSocket, socket: Duplex, role: Role, origin: string | undefined, address: string): void => {
    handshakeGate.opened(address);
    const connection = new Connection({
      ws,
      socket,
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
    if (isShuttingDown) connection.close(CloseCode.GOING_AWAY, 'server shutting down');
  };

  if (ownsHttp) httpServer.on('request', onRequest);
  httpServer.on('upgrade', onUpgrade);

  // One sweep for all sockets: ping, and drop those that missed two pings in a row.
  const heartbeat = setInterval(() => {
    const at = now();
    for (const connection of connections) {
      if (connection.missedPongs >= 2) {
        logger.info('socket.heartbeat_missed', { connectionId: connection.id });
        connection.terminate();
      } else connection.ping();
    }
    for (const [visitorId, bucket] of startBuckets) if (bucket.isFull(at)) startBuckets.delete(visitorId);
    auth.sweep();
    uploads.sweep();
    services.mail?.sweep(at);
    handshakeGate.sweep(at);
    sharedLimits.sweep(at);
  }, heartbeatMs);
  heartbeat.unref();

  const retention =
    options.retentionDays === undefined ? undefined : startRetention({ storage, days: options.retentionDays, logger, now });

  async function shutdown(graceMs: number): Promise<void> {
    isShuttingDown = true;
    clearInterval(heartbeat);
    logger.info('server.draining', { connections: connections.size });
    let graceTimer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (graceTimer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all([...connections].map((c) => c.idle())), grace]);
    clearTimeout(graceTimer);
    try {
      await services.router.stop();
      await storage.drain();
    } catch (err) {
      logger.error('server.drain_failed', describeError(err));
    }
    for (const connection of [...connections]) connection.close(CloseCode.GOING_AWAY, 'server shutting down');
    // Give peers a moment to answer the close handshake, then cut whatever is left.
    await new Promise<void>((resolve) => {
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
    for (const ws of wss.clients) ws.terminate();
    httpServer.off('upgrade', onUpgrade);
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    if (ownsHttp) {
      httpServer.off('request', onRequest);
      await new Promise<void>((resolve) => {
        if (!httpServer.listening) return resolve();
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
    }
    await retention?.stop();
    // Attempts in flight get a short grace; whatever is not delivered stays in the outbox, its leases freed.
    await webhooks?.close(Math.min(graceMs, 2000));
    // A storage the caller lent may outlive this server: its later writes are no longer this server's webhooks
    // (unless another server has set its own writer since, which stays).
    if (webhooks !== undefined && !ownsStorage) {
      const current = baseStorage.setWebhookOutbox(undefined);
      if (current !== webhooks.writer) baseStorage.setWebhookOutbox(current);
    }
    // The closed sockets' presence leases are removed before the storage goes: agents are gone, not "stale".
    await services.presence.settled();
    // Like storage and fan-out: a mailer lent to the server stays open for its owner (it may serve another server).
    if (ownsMailer) services.mail?.mailer.close();
    if (ownsFanout) await fanout.close();
    if (ownsStorage) await storage.close();
    uploadSetup.dispose();
    logger.info('server.closed');
  }

  return {
    httpServer,
    storage,
    fanout,
    listen(port = 0, host) {
      return new Promise((resolve, reject) => {
        const onError = (err: Error) => reject(err);
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
      if (!(await storage.revokeAgentCredentials(agentId))) return false;
      logger.info('agent.revoked', { agentId });
      await closeAgentSockets(agentId);
      return true;
    },
    metrics,
    handleRequest: onRequest,
  };
}
