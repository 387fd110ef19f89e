// One connection's lifetime: connect, handshake, heartbeat, teardown, reconnect. Knows nothing of conversations.
//
//            start()               ws open                welcome
//   idle ─────────────▶ connecting ─────────▶ handshaking ─────────▶ open
//    ▲                   ▲    │                    │                   │
//    │                   │    │ fails, times out   │ closes, times out │ closes, or no frame for 2 × heartbeat
//    │                   │    ▼                    ▼                   ▼
//    │                   │  ┌─────────────────────────────────────────────────┐
//    │  nothing needs a  │  │                 connection ended                ├──── 4002 ────▶ closed
//    └───────────────────┼──┤ (1001: attempt = 0; 4001: new token next time)  │
//                        │  │ (4004: same token, getIdentity() runs again)    │
//       connection       │  └─────────────────────────────────────────────────┘
//                        │      │ online: delayMs(attempt++)      │ offline
//                        │      ▼                                 ▼
//                        └── waiting ──── goes offline ──────▶ offline
//                  timer │                                        │
//                        └───────────────── online event ─────────┘
//
//   connecting ──▶ closed when getToken() returns the very token a 4001 refused (retrying it is pointless).
//   connecting, handshaking, open ──▶ offline on the `offline` event (the socket is ended, not trusted).
//   stop() from any state ──▶ closed. Final: a closed socket never reconnects. The attempt counter resets to 0
//   once a connection has stayed open for stableAfterMs.

import {
  CloseCode,
  ParleyError,
  PROTOCOL_VERSION,
  decodeServerFrameWith,
  encodeFrame,
  type ClientFrame,
  type HelloFrame,
  type VisitorIdentity,
  type RawFrame,
  type Role,
  type ServerFieldTable,
  type ServerFrame,
  type WelcomeFrame,
} from '@parley/protocol';
import { delayMs, type BackoffOptions } from './backoff.js';
import { errorFromFrame } from './request.js';

/** Where the connection is; see the diagram in the README. */
export type ConnectionState = 'idle' | 'connecting' | 'handshaking' | 'open' | 'waiting' | 'offline' | 'closed';

// A handler type whose parameter is checked bivariantly, so both the DOM WebSocket and `ws` fit WebSocketLike.
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The part of the WebSocket API the client uses: the browser's `WebSocket` and the `ws` package both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType?: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Tells the client whether the device is online. The default listens to `navigator.onLine` and window events. */
export interface OnlineSource {
  isOnline(): boolean;
  /** Calls back on every change; returns an unsubscribe. */
  subscribe(callback: (isOnline: boolean) => void): () => void;
}

/** Browser online state when there is a browser; otherwise always online (Node has no such signal). */
export function defaultOnlineSource(): OnlineSource {
  const win = typeof window === 'undefined' ? undefined : window;
  return {
    isOnline: () => typeof navigator === 'undefined' || navigator.onLine !== false,
    subscribe(callback) {
      if (win === undefined) return () => {};
      const up = (): void => callback(true);
      const down = (): void => callback(false);
      win.addEventListener('online', up);
      win.addEventListener('offline', down);
      return () => {
        win.removeEventListener('online', up);
        win.removeEventListener('offline', down);
      };
    },
  };
}

export interface SocketOptions {
  url: string | (() => string);
  role: Role;
  WebSocket: WebSocketConstructor;
  getToken: (() => string | undefined | Promise<string | undefined>) | undefined;
  /** Visitors on sites that verify shoppers: the site's signed identity, fetched afresh before every attempt. */
  getIdentity?: (() => VisitorIdentity | undefined | Promise<VisitorIdentity | undefined>) | undefined;
  siteKey: string | undefined;
  heartbeatMs: number | undefined;
  handshakeTimeoutMs: number;
  backoff: BackoffOptions;
  random: () => number;
  online: OnlineSource;
  /** The server frames this client accepts (by role); any other type is a bad frame. */
  serverFrames: ServerFieldTable;
}

export interface SocketHooks {
  /** Called as the hello goes out: what to resume. */
  resume(): HelloFrame['resume'];
  /** Decides, when a connection ends, whether to reconnect or go idle. */
  isNeeded(): boolean;
  onState(state: ConnectionState): void;
  onWelcome(welcome: WelcomeFrame): void;
  /** Every decoded frame after the welcome. */
  onFrame(frame: ServerFrame): void;
  /** A frame that failed to decode; `ref` when it could be read. */
  onBadFrame(error: ParleyError, ref: string | undefined): void;
  /** The open connection (or the attempt) ended; what was sent on it may be lost. */
  onDown(): void;
  onError(error: ParleyError): void;
  /** A newer token from the server: remember it. */
  onToken(token: string): void;
  nextRef(): string;
}

export interface Socket {
  readonly state: ConnectionState;
  /** Connects unless connected, connecting, or waiting for a timer or the network. */
  start(): void;
  /** Writes a frame on the open connection; false when there is none. */
  send(frame: ClientFrame): boolean;
  /** Tells the socket a token the server issued, to use when `getToken` gives none. */
  setIssuedToken(token: string): void;
  /** The token the current session authenticated with (or was issued or rotated to); undefined before a welcome. */
  readonly token: string | undefined;
  /** Closes for good. */
  stop(): void;
}

type Timer = ReturnType<typeof setTimeout>;

export function createSocket(options: SocketOptions, hooks: SocketHooks): Socket {
  let state: ConnectionState = 'idle';
  let ws: WebSocketLike | undefined;
  // Bumped by every attempt and by stop(): an async step that finds it changed has been overtaken.
  let generation = 0;
  let attempt = 0;
  let issuedToken: string | undefined;
  let refusedToken: string | undefined;
  let usedToken: string | undefined;
  let sessionToken: string | undefined;
  let reportedHandshakeError = false;
  let handshakeTimer: Timer | undefined;
  let retryTimer: Timer | undefined;
  let stableTimer: Timer | undefined;
  let pingTimer: ReturnType<typeof setInterval> | undefined;
  let silenceTimer: Timer | undefined;
  let silenceMs = 0;
  let unsubscribeOnline: (() => void) | undefined;

  const setState = (next: ConnectionState): void => {
    if (next === state) return;
    state = next;
    hooks.onState(next);
  };

  const clearTimers = (): void => {
    clearTimeout(handshakeTimer);
    clearTimeout(retryTimer);
    clearTimeout(stableTimer);
    clearInterval(pingTimer);
    clearTimeout(silenceTimer);
    handshakeTimer = retryTimer = stableTimer = pingTimer = silenceTimer = undefined;
  };

  /** Detaches and closes the current WebSocket without waiting for its close handshake (it may be half-open). */
  const detach = (code: number): void => {
    const old = ws;
    ws = undefined;
    if (old === undefined) return;
    old.onopen = old.onmessage = old.onclose = null;
    // Kept, not nulled: `ws` in Node emits an `error` when a CONNECTING socket is closed, and an EventEmitter
    // `error` without a listener crashes the process. The attempt is already being handled here.
    old.onerror = () => {};
    try {
      // 0 CONNECTING, 1 OPEN: the states in which close() does anything.
      if (old.readyState <= 1) old.close(code);
    } catch {
      // close() throws only for a bad code or reason, which are constants here; the socket is dropped anyway.
    }
  };

  const onlineChanged = (isOnline: boolean): void => {
    if (!isOnline && (state === 'connecting' || state === 'handshaking' || state === 'open')) {
      // The device says it has no network. The socket may still look open (Chromium keeps it OPEN and drops what
      // is written to it) and the heartbeat would take 2 × heartbeatMs to notice: end it now, so messages wait in
      // the outbox and go out on a fresh connection, deduplicated by clientId, when `online` comes.
      attempt = 0;
      generation++;
      down(CloseCode.NORMAL, undefined);
    } else if (!isOnline && state === 'waiting') {
      clearTimeout(retryTimer);
      setState('offline');
    } else if (isOnline && state === 'offline') {
      void connect();
    }
  };

  const scheduleRetry = (): void => {
    if (state === 'closed') return;
    if (!hooks.isNeeded()) return setState('idle');
    if (!options.online.isOnline()) return setState('offline');
    const wait = delayMs(attempt, options.backoff, options.random);
    attempt += 1;
    setState('waiting');
    retryTimer = setTimeout(() => void connect(), wait);
  };

  /** The connection ended (closed by the peer, failed, or dropped by us). Decides what happens next. */
  const down = (closeCode: number, error: ParleyError | undefined): void => {
    clearTimers();
    detach(closeCode);
    hooks.onDown();
    if (error !== undefined) hooks.onError(error);
    if (state === 'closed') return;
    if (closeCode === CloseCode.VERSION_UNSUPPORTED) {
      if (!reportedHandshakeError) {
        hooks.onError(new ParleyError('PROTOCOL_VERSION_UNSUPPORTED', 'the server does not speak this protocol version; upgrade the client'));
      }
      return finish();
    }
    if (closeCode === CloseCode.UNAUTHORIZED) {
      if (!reportedHandshakeError) {
        hooks.onError(new ParleyError('AUTH_INVALID_TOKEN', 'the server refused the token (close 4001)'));
      }
      // Never retry the same token (protocol README): getToken runs again, or a visitor starts anonymous.
      refusedToken = usedToken;
      if (issuedToken === usedToken) issuedToken = undefined;
    }
    if (closeCode === CloseCode.GOING_AWAY) attempt = 0;
    scheduleRetry();
  };

  const fail = (message: string, closeCode: number, details: Record<string, unknown>): void => {
    down(closeCode, new ParleyError('TRANSPORT_TIMEOUT', message, { retryable: true, details }));
  };

  const resetSilence = (): void => {
    if (silenceMs === 0) return;
    clearTimeout(silenceTimer);
    silenceTimer = setTimeout(
      () => fail(`no frame for ${silenceMs} ms: the connection is half-open`, CloseCode.HEARTBEAT_TIMEOUT, { heartbeat: true }),
      silenceMs,
    );
  };

  const welcome = (frame: WelcomeFrame): void => {
    if (frame.v !== PROTOCOL_VERSION) {
      hooks.onError(new ParleyError('PROTOCOL_VERSION_UNSUPPORTED', `the server answered protocol v${frame.v}, this client speaks v${PROTOCOL_VERSION}`));
      return stop();
    }
    clearTimeout(handshakeTimer);
    if (frame.token !== undefined) {
      issuedToken = frame.token;
      hooks.onToken(frame.token);
    }
    sessionToken = frame.token ?? usedToken;
    // An explicit option wins (a proxy in front may need shorter pings); else the server's period.
    const intervalMs = options.heartbeatMs ?? frame.heartbeatMs;
    silenceMs = 2 * intervalMs;
    pingTimer = setInterval(() => send({ type: 'ping', ref: hooks.nextRef() }), intervalMs);
    resetSilence();
    stableTimer = setTimeout(() => {
      attempt = 0;
    }, options.backoff.stableAfterMs);
    // The client learns its subjectId and flushes what waited before `state` listeners hear of 'open'.
    state = 'open';
    hooks.onWelcome(frame);
    hooks.onState('open');
  };

  const receive = (data: unknown): void => {
    resetSilence();
    const decoded = decodeServerFrameWith(options.serverFrames, data as RawFrame);
    if (!decoded.ok) return hooks.onBadFrame(decoded.error, decoded.ref);
    const frame = decoded.frame;
    if (state === 'open') return hooks.onFrame(frame);
    if (frame.type === 'welcome') return welcome(frame);
    if (frame.type === 'error') {
      // The handshake failed; the close that follows (4001/4002) decides what happens next.
      reportedHandshakeError = true;
      hooks.onError(errorFromFrame(frame));
    }
    // Anything else before the welcome breaks the protocol's order; the handshake timeout handles a stuck server.
  };

  const connect = async (): Promise<void> => {
    const current = ++generation;
    clearTimers();
    silenceMs = 0;
    reportedHandshakeError = false;
    setState('connecting');
    let token: string | undefined;
    try {
      token = options.getToken === undefined ? undefined : await options.getToken();
    } catch (cause) {
      if (current !== generation) return;
      hooks.onError(new ParleyError('AUTH_INVALID_TOKEN', 'getToken() failed', { cause, retryable: true }));
      return scheduleRetry();
    }
    if (current !== generation) return;
    token ??= issuedToken;
    if (token !== undefined && token === refusedToken) {
      hooks.onError(new ParleyError('AUTH_INVALID_TOKEN', 'the server refused this token before; getToken() must return a new one'));
      return finish();
    }
    usedToken = token;
    let identity: VisitorIdentity | undefined;
    try {
      identity = options.getIdentity === undefined ? undefined : await options.getIdentity();
    } catch (cause) {
      if (current !== generation) return;
      hooks.onError(new ParleyError('AUTH_IDENTITY_INVALID', 'getIdentity() failed', { cause, retryable: true }));
      return scheduleRetry();
    }
    if (current !== generation) return;
    let socket: WebSocketLike;
    try {
      socket = new options.WebSocket(typeof options.url === 'function' ? options.url() : options.url);
    } catch (cause) {
      // A malformed URL throws here; treated like a failed attempt so a url() function can recover.
      hooks.onError(new ParleyError('TRANSPORT_CLOSED', 'could not open a WebSocket', { cause, retryable: true }));
      return scheduleRetry();
    }
    ws = socket;
    socket.binaryType = 'arraybuffer';
    handshakeTimer = setTimeout(
      () => fail(`no welcome within ${options.handshakeTimeoutMs} ms`, CloseCode.HANDSHAKE_TIMEOUT, { handshake: true }),
      options.handshakeTimeoutMs,
    );
    socket.onopen = () => {
      setState('handshaking');
      const resume = hooks.resume();
      const hello: HelloFrame = { type: 'hello', ref: hooks.nextRef(), v: PROTOCOL_VERSION, role: options.role };
      if (token !== undefined) hello.token = token;
      if (options.siteKey !== undefined) hello.siteKey = options.siteKey;
      if (identity !== undefined) hello.identity = identity;
      if (resume !== undefined && resume.length > 0) hello.resume = resume;
      socket.send(encodeFrame(hello));
    };
    socket.onmessage = (event) => receive(event.data);
    socket.onclose = (event) => down(event.code, undefined);
    // An error event carries no detail in browsers, and a close event always follows it: handled there.
    socket.onerror = () => {};
  };

  const send = (frame: ClientFrame): boolean => {
    if (state !== 'open' || ws === undefined) return false;
    ws.send(encodeFrame(frame));
    return true;
  };

  /** Enters the final state; the caller has already torn the connection down. */
  const finish = (): void => {
    generation += 1;
    unsubscribeOnline?.();
    unsubscribeOnline = undefined;
    setState('closed');
  };

  const stop = (): void => {
    if (state === 'closed') return;
    const wasConnected = state === 'connecting' || state === 'handshaking' || state === 'open';
    clearTimers();
    detach(CloseCode.NORMAL);
    finish();
    if (wasConnected) hooks.onDown();
  };

  return {
    get state() {
      return state;
    },
    start() {
      if (state !== 'idle') return;
      unsubscribeOnline ??= options.online.subscribe(onlineChanged);
      if (options.online.isOnline()) void connect();
      else setState('offline');
    },
    send,
    setIssuedToken(token) {
      issuedToken = token;
      sessionToken = token;
    },
    get token() {
      return sessionToken;
    },
    stop,
  };
}
