// One socket's loop: decode, rate-limit, count abuse, run handlers one at a time, send, close with the right code.
// Owns no business rules (handlers do) and no HTTP (server.ts does).
//
//   open ──hello ok──▶ authenticated ──close()/peer close──▶ closed
//     │  └─ no hello in helloTimeoutMs → close 4003
//     └─ auth/version error → close 4001/4002;  oversize → 1009;  abuse → 4008;  shutdown → 1001

import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { WebSocket, RawData } from 'ws';
import {
  CloseCode,
  ParleyError,
  closeCodeFor,
  decodeClientFrame,
  encodeFrame,
  type ClientFrame,
  type ErrorCode,
  type Role,
  type ServerFrame,
} from '@parley/protocol';
import type { FanoutMessage, FanoutSubscription } from './fanout/fanout.js';
import { agentTopic, credentialTopic, siteAgentsTopic, visitorTopic } from './fanout/fanout.js';
import type { HandlerContext, ServerServices, Session } from './handlers/context.js';
import { dispatch } from './handlers/dispatch.js';
import { describeError } from './logger.js';
import { TokenBucket, type RateLimits } from './rate-limit.js';
import type { SharedLimits } from './shared-limits.js';
import { corkUntilTickEnd } from './tick-cork.js';

/** Errors after which the connection is closed (README "closes?" column); the rest leave it open. */
const CLOSING_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
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
const encoded = new WeakMap<ServerFrame, Buffer>();
function encodedOnce(frame: ServerFrame): Buffer {
  let bytes = encoded.get(frame);
  if (bytes === undefined) {
    bytes = Buffer.from(encodeFrame(frame));
    encoded.set(frame, bytes);
  }
  return bytes;
}

export interface ConnectionOptions {
  ws: WebSocket;
  /** The socket under `ws` (the upgrade's), corked while one tick's frames are sent. */
  socket: Duplex;
  endpointRole: Role;
  origin: string | undefined;
  services: ServerServices;
  rates: RateLimits;
  helloTimeoutMs: number;
  /** The client's IP (`socket.remoteAddress`), for the per-address limits. */
  remoteAddress: string;
  /** Limits shared with the subject's and the address's other connections. */
  sharedLimits: SharedLimits;
  /** True once the server is draining: new frames are refused with SERVER_SHUTTING_DOWN. */
  isShuttingDown: () => boolean;
  onClose: (connection: Connection) => void;
}

export class Connection {
  readonly id = `k_${randomUUID()}`;
  private session: Session | undefined;
  private readonly subscriptions = new Map<string, FanoutSubscription>();
  private readonly frames: TokenBucket;
  private readonly messages: TokenBucket;
  private readonly strikes: TokenBucket;
  private helloTimer: NodeJS.Timeout | undefined;
  /** Handlers run one at a time per connection, so a client's frames take effect in the order it sent them. */
  private tail: Promise<void> = Promise.resolve();
  private isClosed = false;
  /** WebSocket pings sent without a pong since; the server heartbeat terminates the peer at 2. */
  missedPongs = 0;

  constructor(private readonly options: ConnectionOptions) {
    const { ws, services, rates } = options;
    const now = services.now();
    this.frames = new TokenBucket(rates.frames, now);
    this.messages = new TokenBucket(rates.messages, now);
    this.strikes = new TokenBucket(rates.strikes, now);
    this.helloTimer = setTimeout(() => {
      this.helloTimer = undefined;
      if (this.session === undefined) this.close(CloseCode.HANDSHAKE_TIMEOUT, 'no hello in time');
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

  get role(): Role {
    return this.options.endpointRole;
  }

  /** Resolves when every frame received so far has been handled. */
  idle(): Promise<void> {
    return this.tail;
  }

  send(frame: ServerFrame): void {
    const { ws } = this.options;
    if (this.isClosed || ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.options.services.logger.warn('socket.slow_consumer', { connectionId: this.id });
      ws.terminate();
      return;
    }
    if (frame.type === 'error') this.options.services.countError?.(frame.code);
    corkUntilTickEnd(this.options.socket);
    ws.send(encodedOnce(frame), { binary: false });
  }

  close(code: number, reason: string): void {
    if (this.isClosed) return;
    this.options.services.logger.debug('socket.close', { connectionId: this.id, code, reason });
    this.options.ws.close(code, reason);
    this.teardown();
  }

  /** Drops a peer that stopped answering pings; a clean close handshake would wait on it too. */
  terminate(): void {
    this.options.ws.terminate();
    this.teardown();
  }

  ping(): void {
    const { ws } = this.options;
    if (ws.readyState !== ws.OPEN) return;
    this.missedPongs++;
    ws.ping();
  }

  private teardown(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.helloTimer !== undefined) clearTimeout(this.helloTimer);
    this.options.services.presence.delete(this.id);
    for (const sub of this.subscriptions.values()) {
      sub.unsubscribe().catch((err: unknown) => this.options.services.logger.warn('fanout.unsubscribe_failed', describeError(err)));
    }
    this.subscriptions.clear();
    this.options.onClose(this);
  }

  private sendError(error: ParleyError, ref: string | undefined, conversationId?: string): void {
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
  private strike(): void {
    if (this.strikes.take(this.options.services.now())) return;
    this.options.services.logger.warn('socket.abuse', { connectionId: this.id, subjectId: this.session?.subjectId });
    this.close(CloseCode.ABUSE, 'too many invalid or refused frames');
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.isClosed) return;
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
      if (decoded.error.code === 'PROTOCOL_FRAME_TOO_LARGE') this.close(closeCodeFor('PROTOCOL_FRAME_TOO_LARGE'), 'frame too large');
      else this.strike();
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
      .catch((err: unknown) => services.logger.error('connection.loop_failed', { connectionId: this.id, ...describeError(err) }));
  }

  /** Opening more sockets, or more visitors on one address, must not multiply what one sender may do. */
  private takeSharedLimits(frame: ClientFrame, now: number): string | undefined {
    const session = this.session;
    if (session === undefined) return undefined;
    const { sharedLimits, remoteAddress } = this.options;
    if (frame.type === 'message.send' || frame.type === 'note.add') return sharedLimits.takeMessage({ role: session.role, subjectId: session.subjectId, address: remoteAddress }, now);
    if (frame.type === 'conversation.start' && session.role === 'visitor') return sharedLimits.takeConversationStart(remoteAddress, now);
    return undefined;
  }

  private async run(frame: ClientFrame): Promise<void> {
    if (this.isClosed) return;
    try {
      await dispatch(this.context(), frame);
    } catch (err) {
      this.fail(err, frame);
    }
  }

  private fail(err: unknown, frame: ClientFrame): void {
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
    if (CLOSING_CODES.has(err.code)) this.close(closeCodeFor(err.code), err.code);
  }

  private context(): HandlerContext {
    const self = this;
    const { services, endpointRole, origin, remoteAddress } = this.options;
    return {
      connectionId: this.id,
      endpointRole,
      origin,
      address: remoteAddress,
      services,
      get session() {
        return self.session;
      },
      async authenticate(session: Session) {
        self.session = session;
        if (self.helloTimer !== undefined) clearTimeout(self.helloTimer);
        self.helloTimer = undefined;
        if (session.role === 'visitor') await this.subscribe(visitorTopic(session.subjectId));
        else {
          await services.presence.connect(self.id, session.subjectId, session.siteId);
          await this.subscribe(siteAgentsTopic(session.siteId));
          await this.subscribe(agentTopic(session.subjectId));
          if (session.credentialHash !== undefined) await this.subscribe(credentialTopic(session.credentialHash));
        }
      },
      reply: (frame) => this.send(frame),
      subscribe: async (topic) => {
        if (this.subscriptions.has(topic) || this.isClosed) return;
        const sub = await services.fanout.subscribe(topic, (message) => this.deliver(message));
        // The socket may have closed while subscribing: undo, or the subscription would leak.
        if (this.isClosed || this.subscriptions.has(topic)) await sub.unsubscribe();
        else this.subscriptions.set(topic, sub);
      },
      publish: (topic, message) => services.fanout.publish(topic, message),
    };
  }

  private deliver(message: FanoutMessage): void {
    if (message.exceptConnectionId === this.id) return;
    if (message.exceptSubjectId !== undefined && message.exceptSubjectId === this.session?.subjectId) return;
    this.send(message.frame);
    // A closing error pushed to this connection's topic (an agent's revoked credentials) ends the session here.
    if (message.frame.type === 'error' && CLOSING_CODES.has(message.frame.code as ErrorCode)) {
      this.close(closeCodeFor(message.frame.code as ErrorCode), message.frame.code);
    }
  }
}
