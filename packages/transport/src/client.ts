// The client a widget or console holds: lazy connection, conversations, outbox, typed events. Wire details live
// in socket.ts (connection), request.ts (refs), conversation.ts (ordering) and storage.ts (persistence).

import {
  DEFAULT_LIMITS,
  ParleyError,
  SERVER_FIELDS,
  VISITOR_SERVER_FIELDS,
  type ServerFieldTable,
  type AcceptFrame,
  type Attachment,
  type AgentJoinedFrame,
  type AgentLeftFrame,
  type AssignedFrame,
  type AvailabilityFrame,
  type ClientFrame,
  type CloseFrame,
  type ClosedFrame,
  type ConversationInfo,
  type ConversationJoinedFrame,
  type EscalatedFrame,
  type EscalateFrame,
  type HistoryGetFrame,
  type HistoryPageFrame,
  type Message,
  type MessageAckFrame,
  type NoteAddFrame,
  type TranscriptEmailFrame,
  type NoteNewFrame,
  type PageViewFrame,
  type PresenceFrame,
  type QueueSnapshotFrame,
  type QueueUpdateFrame,
  type RatedFrame,
  type RateFrame,
  type ReadEventFrame,
  type ResultFrame,
  type ResumePoint,
  type Role,
  type ServerFrame,
  type TransferFrame,
  type TypingEventFrame,
  type VisitorIdentity,
  type VisitorProfile,
} from '@parley/protocol';
import { DEFAULT_BACKOFF, delayMs, type BackoffOptions } from './backoff.js';
import { createSequencer, type Sequencer } from './conversation.js';
import { createEmitter } from './events.js';
import { createRequests, errorFromFrame } from './request.js';
import {
  createSocket,
  defaultOnlineSource,
  type ConnectionState,
  type OnlineSource,
  type WebSocketConstructor,
} from './socket.js';
import { createStateStore, memoryStorage, type OutboxEntry, type OutboxStorage } from './storage.js';

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** WebSocket URL (`wss://chat.example.com/ws/visitor`), or a function read before every attempt. */
  url: string | (() => string);
  role: Role;
  /** The WebSocket implementation: the global one by default; pass `ws` in Node. */
  WebSocket?: WebSocketConstructor;
  /**
   * Runs before every connection attempt. Return the stored token, or undefined (a visitor then gets a new one,
   * announced by the `token` event). After a 4001 close it must return a different token.
   */
  getToken?: () => string | undefined | Promise<string | undefined>;
  /** The site's public key (visitors). */
  siteKey?: string;
  /**
   * Visitors on a site that verifies shoppers: the identity the site's backend signed (`{ userId, hmac }` or
   * `{ jwt }`, see the protocol README). Runs before every connection attempt, so return a fresh JWT here. A missing,
   * invalid or expired identity closes the socket with 4004; the client then reconnects (with backoff) and asks again.
   */
  getIdentity?: () => VisitorIdentity | undefined | Promise<VisitorIdentity | undefined>;
  /** Where the outbox and lastSeq per conversation survive a reload. Default: memory. */
  storage?: OutboxStorage;
  /** Ping period; overrides the server's `welcome.heartbeatMs` when set. */
  heartbeatMs?: number;
  /** How long a request, a join and the handshake may wait for their reply. Default 10 000. */
  requestTimeoutMs?: number;
  backoff?: Partial<BackoffOptions>;
  /** Random source for backoff jitter, `[0, 1)`. Default `Math.random`; tests pass a constant. */
  random?: () => number;
  /** Network state. Default: `navigator.onLine` and window `online`/`offline` events, else always online. */
  online?: OnlineSource;
  /** Most unacknowledged messages kept. Default 500. */
  maxOutbox?: number;
}

/** A message as delivered: exactly once per conversation, in seq order. */
export type DeliveredMessage = Message & {
  /** Sent by this client (one of its clientIds) or by the same subject on another device or tab. */
  isMine: boolean;
};

/** Event name → payload. */
export interface ClientEvents {
  state: ConnectionState;
  message: DeliveredMessage;
  ack: MessageAckFrame;
  conversation: ConversationInfo;
  typing: TypingEventFrame;
  read: ReadEventFrame;
  presence: PresenceFrame;
  queue: QueueUpdateFrame | QueueSnapshotFrame;
  agent: AgentJoinedFrame | AgentLeftFrame;
  rating: RatedFrame;
  /** A new token from the server: persist it and return it from `getToken` next time. */
  token: string;
  error: ParleyError;
  /** Every decoded frame from the server, replies included, before the client handles it. */
  frame: ServerFrame;
}

type WithoutRef<F> = F extends unknown ? Omit<F, 'ref'> : never;

/** Frames for {@link ParleyClient.request}, with the reply each one gets. */
export interface RequestReplies {
  'conversation.escalate': EscalatedFrame;
  'conversation.accept': AssignedFrame;
  'conversation.close': ClosedFrame;
  'rating.submit': RatedFrame;
  'history.get': HistoryPageFrame;
  'agent.availability': ResultFrame;
  'visitor.page': ResultFrame;
  'conversation.transfer': ResultFrame;
  'note.add': NoteNewFrame;
  'transcript.email': ResultFrame;
}

export type RequestFrame = WithoutRef<
  EscalateFrame | AcceptFrame | CloseFrame | RateFrame | HistoryGetFrame | AvailabilityFrame | PageViewFrame | TransferFrame | NoteAddFrame | TranscriptEmailFrame
>;

/** What {@link ParleyClient.send} returns. */
export interface SendResult {
  clientId: string;
  /** Resolves on the server's ack (after a reconnect if need be); the message is in the outbox until then. */
  acked: Promise<MessageAckFrame>;
}

export interface ParleyClient {
  readonly state: ConnectionState;
  /** visitorId or agentId, from the welcome; undefined before the first one. */
  readonly subjectId: string | undefined;
  /**
   * The token the current session authenticated with (issued, rotated or given by `getToken`), for the server's
   * HTTP routes such as `POST /api/uploads` (`Authorization: Bearer …`). Undefined before the first welcome.
   */
  readonly token: string | undefined;
  /** Subscribes; returns the unsubscribe. */
  on<K extends keyof ClientEvents>(event: K, fn: (payload: ClientEvents[K]) => void): () => void;
  /** Connects now (normally lazy) and resumes every stored conversation and unsent message. */
  connect(): void;
  /** Starts a conversation; the same `clientId` returns the same conversation. */
  startConversation(options?: { clientId?: string; profile?: VisitorProfile }): Promise<ConversationInfo>;
  /** Joins a conversation from its last delivered seq; it is resumed on every reconnect from then on. */
  join(conversationId: string): Promise<ConversationInfo>;
  /** Queues a message in the outbox (even offline) and sends it when the conversation is joined. */
  /** `quickReplies` (agents only): short answers the visitor's widget offers as buttons. */
  send(conversationId: string, text: string, options?: { clientId?: string; attachments?: Attachment[]; quickReplies?: string[] }): SendResult;
  /** Any other request; resolves with its reply. */
  request<F extends RequestFrame>(frame: F & { ref?: never }): Promise<RequestReplies[F['type']]>;
  /** Best effort: dropped when not connected (a stale typing indicator is worse than none). */
  typing(conversationId: string, isTyping: boolean): void;
  /** Marks read up to `upToSeq`; kept until connected, only the highest per conversation. */
  read(conversationId: string, upToSeq: number): void;
  /** Closes for good; pending requests reject with `TRANSPORT_CLOSED`. The outbox stays in storage. */
  close(): void;
}

interface ConversationState {
  id: string;
  seq: Sequencer;
  info: ConversationInfo | undefined;
  /** Connection number on which the last `conversation.joined` arrived; 0 when not joined on this one. */
  joinedOn: number;
  isFetching: boolean;
  /** A stale resume is retried from 0 once per connection, so a broken server cannot make us loop. */
  staleRetriedOn: number;
  waiters: Set<Waiter<ConversationInfo>>;
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: ParleyError): void;
  timer?: ReturnType<typeof setTimeout>;
}

interface QueuedEntry extends OutboxEntry {
  /** Connection number this entry was last sent on; 0 when never. */
  sentOn: number;
  /** Retryable refusals so far, for the resend delay. */
  retries: number;
  /** Created on demand: entries restored from storage have no caller waiting. */
  ack: (Waiter<MessageAckFrame> & { promise: Promise<MessageAckFrame> }) | undefined;
}


/** Conversations whose resume or join failed this way are forgotten: retrying cannot help. */
const isFinalJoinError = (error: ParleyError): boolean =>
  error.code === 'CONVERSATION_NOT_FOUND' || error.code === 'AUTH_FORBIDDEN';

/** Ids cross the wire: one the server would refuse as too long is an integrator mistake, caught here. */
function checkId(name: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > DEFAULT_LIMITS.maxIdLength) {
    throw new ParleyError('PROTOCOL_STRING_TOO_LONG', `${name} must be a string of 1–${DEFAULT_LIMITS.maxIdLength} characters`);
  }
}

/** A UUID where `crypto.randomUUID` exists (secure contexts), else 128 random bits in hex. */
function randomId(): string {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  return Array.from(c.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Marks a Promise as handled: the failure is also emitted as an `error` event, and callers may ignore it. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/**
 * Creates a Parley client. Nothing happens until the first call that needs the server.
 * @example
 * const client = createClient({ url: 'wss://chat.example.com/ws/visitor', role: 'visitor', siteKey: 'site_1' });
 * client.on('message', (m) => render(m));
 * const conversation = await client.startConversation();
 * client.send(conversation.id, 'Hello!');
 */
export function createClient(options: ClientOptions): ParleyClient {
  return connectClient(options, options.role === 'visitor' ? VISITOR_SERVER_FIELDS : SERVER_FIELDS);
}

/**
 * `createClient` with role `visitor`: accepts only the server frames a visitor can receive, and a bundle that
 * uses only this (the widget's) carries no agent-only frame schemas.
 */
export function createVisitorClient(options: Omit<ClientOptions, 'role'>): ParleyClient {
  return connectClient({ ...options, role: 'visitor' }, VISITOR_SERVER_FIELDS);
}

function connectClient(options: ClientOptions, serverFrames: ServerFieldTable): ParleyClient {
  if (options.role !== 'visitor' && options.role !== 'agent') {
    throw new ParleyError('CONFIG_INVALID', 'createClient: role must be "visitor" or "agent"');
  }
  if (typeof options.url !== 'string' && typeof options.url !== 'function') {
    throw new ParleyError('CONFIG_INVALID', 'createClient: url must be a ws(s):// string or a function returning one');
  }
  const WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (WebSocketImpl === undefined) {
    throw new ParleyError('CONFIG_INVALID', 'no global WebSocket here: pass one, e.g. createClient({ WebSocket }) with `import { WebSocket } from "ws"`');
  }
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const backoff: BackoffOptions = { ...DEFAULT_BACKOFF, ...options.backoff };
  const random = options.random ?? Math.random;
  const maxOutbox = options.maxOutbox ?? 500;

  const events = createEmitter<ClientEvents>((event, cause) => {
    if (event === 'error') {
      // An `error` listener threw: reporting through `error` again could loop, so surface it as uncaught.
      queueMicrotask(() => {
        throw cause;
      });
      return;
    }
    events.emit('error', new ParleyError('TRANSPORT_LISTENER_FAILED', `a "${String(event)}" listener threw`, { cause }));
  });
  const emitError = (error: ParleyError): void => events.emit('error', error);

  const requests = createRequests();
  const store = createStateStore(options.storage ?? memoryStorage(), emitError);
  const conversations = new Map<string, ConversationState>();
  const outbox: QueuedEntry[] = [];
  const sendRefs = new Map<string, string>();
  const joinRefs = new Map<string, ConversationState>();
  const myClientIds = new Set<string>();
  const pendingReads = new Map<string, number>();
  /** Requests made before the connection opened: sent on welcome unless they timed out meanwhile. */
  let queued: ClientFrame[] = [];
  let subjectId: string | undefined;
  let connection = 0;
  let refCounter = 0;
  let isLoaded = false;
  let isClosed = false;

  const nextRef = (): string => `r${(++refCounter).toString(36)}`;

  const saveOutbox = (): void =>
    store.saveOutbox(outbox.map(({ conversationId, clientId, text }) => ({ conversationId, clientId, text })));
  // A history replay delivers up to 200 messages in one go: write lastSeq once, after them.
  let isSeqSaveQueued = false;
  const writeSeqs = (): void => store.saveSeqs([...conversations.values()].map((c) => [c.id, c.seq.lastSeq]));
  const saveSeqs = (): void => {
    if (isSeqSaveQueued) return;
    isSeqSaveQueued = true;
    queueMicrotask(() => {
      isSeqSaveQueued = false;
      writeSeqs();
    });
  };

  const register = (id: string, lastSeq = 0): ConversationState => {
    let conv = conversations.get(id);
    if (conv === undefined) {
      conv = { id, seq: createSequencer(lastSeq), info: undefined, joinedOn: 0, isFetching: false, staleRetriedOn: 0, waiters: new Set() };
      conversations.set(id, conv);
    }
    return conv;
  };

  /** Reads storage on first use, not at creation, so `error` listeners added after createClient see its failures. */
  const load = (): void => {
    if (isLoaded) return;
    isLoaded = true;
    const saved = store.load();
    for (const [id, lastSeq] of saved.seqs) register(id, lastSeq);
    // All of them, even past maxOutbox (another build may have allowed more): the cap applies to new sends only.
    for (const entry of saved.outbox) {
      register(entry.conversationId);
      myClientIds.add(entry.clientId);
      outbox.push({ ...entry, sentOn: 0, retries: 0, ack: undefined });
    }
  };

  const isOpen = (): boolean => socket.state === 'open';

  const send = (frame: ClientFrame): boolean => socket.send(frame);

  const ensureConnected = (): void => {
    load();
    socket.start();
  };

  /** Closed by close(), or stopped for good by the socket (4002, a refused token). */
  const isFinal = (): boolean => isClosed || socket.state === 'closed';

  const notConnectedError = (): ParleyError =>
    isFinal()
      ? new ParleyError('TRANSPORT_CLOSED', 'the client is closed', { retryable: false })
      : new ParleyError('TRANSPORT_NOT_CONNECTED', 'offline: the request was not sent', { retryable: true });

  /** Null when requests can be made now or after connecting; else why not. */
  const unavailable = (): ParleyError | null => (isFinal() || socket.state === 'offline' ? notConnectedError() : null);

  const track = (frame: ClientFrame & { ref: string }): Promise<ServerFrame> => {
    const reply = requests.track(frame.ref, requestTimeoutMs);
    if (!send(frame)) {
      queued.push(frame);
      ensureConnected();
    }
    return reply;
  };

  // ---- conversations ---------------------------------------------------------------------------------------

  const waitForJoin = (conv: ConversationState): Promise<ConversationInfo> =>
    new Promise<ConversationInfo>((resolve, reject) => {
      const waiter: Waiter<ConversationInfo> = { resolve, reject };
      waiter.timer = setTimeout(() => {
        conv.waiters.delete(waiter);
        reject(new ParleyError('TRANSPORT_TIMEOUT', `not joined within ${requestTimeoutMs} ms`, { retryable: true, details: { conversationId: conv.id } }));
      }, requestTimeoutMs);
      conv.waiters.add(waiter);
    });

  const settleWaiters = (conv: ConversationState, outcome: { info: ConversationInfo } | { error: ParleyError }): void => {
    for (const waiter of conv.waiters) {
      clearTimeout(waiter.timer);
      if ('info' in outcome) waiter.resolve(outcome.info);
      else waiter.reject(outcome.error);
    }
    conv.waiters.clear();
  };

  // Joins are not tracked as requests: their only timeout is that of the join() call waiting for them (a
  // second timer would report the same failure twice), and a resume has none to wait on at all.
  const sendJoin = (conv: ConversationState): void => {
    const ref = nextRef();
    if (send({ type: 'conversation.join', ref, conversationId: conv.id, afterSeq: conv.seq.lastSeq })) joinRefs.set(ref, conv);
  };

  const forget = (conv: ConversationState, error: ParleyError): void => {
    conversations.delete(conv.id);
    for (let i = outbox.length - 1; i >= 0; i -= 1) {
      const entry = outbox[i]!;
      if (entry.conversationId !== conv.id) continue;
      outbox.splice(i, 1);
      entry.ack?.reject(error);
    }
    saveOutbox();
    saveSeqs();
  };

  const joinFailed = (conv: ConversationState, error: ParleyError): void => {
    if (conversations.get(conv.id) !== conv) return;
    if (error.code === 'PROTOCOL_STALE_RESUME' && isOpen() && conv.staleRetriedOn !== connection) {
      // The server has fewer messages than we saw (e.g. its database was restored) and cannot tell us its lastSeq,
      // so rejoin from 0. The sequencer remembers delivered clientIds, so the consumer is not shown them again;
      // messages the server lost stay on screen, new ones flow.
      emitError(error);
      conv.staleRetriedOn = connection;
      conv.seq.reset(0);
      saveSeqs();
      sendJoin(conv);
      return;
    }
    if (conv.waiters.size === 0) emitError(error);
    settleWaiters(conv, { error });
    if (isFinalJoinError(error)) forget(conv, error);
  };

  const fetchHistory = (conv: ConversationState): void => {
    if (conv.isFetching || !isOpen()) return;
    conv.isFetching = true;
    const ref = nextRef();
    const fromSeq = conv.seq.lastSeq;
    requests.track(ref, requestTimeoutMs).then(
      (reply) => {
        conv.isFetching = false;
        // Messages were already fed through deliver() by the frame handler. Page on while there is more and
        // the page moved us forward (a server that returns nothing new must not make us loop).
        const page = reply as HistoryPageFrame;
        if ((page.hasMore || conv.seq.hasGap()) && conv.seq.lastSeq > fromSeq) fetchHistory(conv);
      },
      (error: ParleyError) => {
        conv.isFetching = false;
        // After a disconnect the rejoin replays from lastSeq anyway; anything else is worth reporting.
        if (error.code !== 'TRANSPORT_CLOSED') emitError(error);
      },
    );
    send({ type: 'history.get', ref, conversationId: conv.id, afterSeq: fromSeq });
  };

  const deliver = (message: Message): void => {
    const conv = conversations.get(message.conversationId);
    // Only joined conversations deliver: a message for another one has no lastSeq to order it against.
    if (conv === undefined) return;
    const before = conv.seq.lastSeq;
    const ready = conv.seq.receive(message);
    if (conv.seq.lastSeq !== before) saveSeqs();
    for (const m of ready) {
      events.emit('message', { ...m, isMine: myClientIds.has(m.clientId) || (subjectId !== undefined && m.author.id === subjectId) });
    }
    if (conv.seq.hasGap()) fetchHistory(conv);
  };

  // ---- outbox ----------------------------------------------------------------------------------------------

  const sendEntry = (entry: QueuedEntry): void => {
    const ref = nextRef();
    const attachments = entry.attachments === undefined ? {} : { attachments: entry.attachments };
    const quickReplies = entry.quickReplies === undefined ? {} : { quickReplies: entry.quickReplies };
    if (!send({ type: 'message.send', ref, conversationId: entry.conversationId, clientId: entry.clientId, text: entry.text, ...attachments, ...quickReplies })) return;
    sendRefs.set(ref, entry.clientId);
    entry.sentOn = connection;
  };

  const flushOutbox = (conv: ConversationState): void => {
    for (const entry of outbox) {
      if (entry.conversationId === conv.id && entry.sentOn !== connection) sendEntry(entry);
    }
  };

  const ackOf = (entry: QueuedEntry): Promise<MessageAckFrame> => {
    if (entry.ack === undefined) {
      let waiter!: Waiter<MessageAckFrame>;
      const promise = handled(
        new Promise<MessageAckFrame>((resolve, reject) => {
          waiter = { resolve, reject };
        }),
      );
      entry.ack = { ...waiter, promise };
    }
    return entry.ack.promise;
  };

  const removeEntry = (clientId: string): QueuedEntry | undefined => {
    const index = outbox.findIndex((e) => e.clientId === clientId);
    if (index < 0) return undefined;
    const [entry] = outbox.splice(index, 1);
    saveOutbox();
    return entry;
  };

  const sendFailed = (clientId: string, error: ParleyError): void => {
    emitError(error);
    if (!error.retryable) {
      removeEntry(clientId)?.ack?.reject(error);
      return;
    }
    // Retryable (rate limit, storage hiccup): keep it and send it again after a backoff delay on this connection;
    // a reconnect in between resends it anyway.
    const entry = outbox.find((e) => e.clientId === clientId);
    if (entry === undefined) return;
    const sentOn = entry.sentOn;
    setTimeout(() => {
      if (isOpen() && entry.sentOn === sentOn && sentOn === connection && outbox.includes(entry)) sendEntry(entry);
    }, delayMs(entry.retries++, backoff, random));
  };

  // ---- frames ----------------------------------------------------------------------------------------------

  const joined = (frame: ConversationJoinedFrame): void => {
    const info = frame.conversation;
    const conv = register(info.id);
    conv.info = info;
    conv.joinedOn = connection;
    saveSeqs();
    settleWaiters(conv, { info });
    events.emit('conversation', info);
    flushOutbox(conv);
  };

  const updateInfo = (conversationId: string, patch: Partial<ConversationInfo>): void => {
    const conv = conversations.get(conversationId);
    if (conv?.info === undefined) return;
    conv.info = { ...conv.info, ...patch };
    events.emit('conversation', conv.info);
  };

  const onFrame = (frame: ServerFrame): void => {
    events.emit('frame', frame);
    switch (frame.type) {
      case 'conversation.joined':
        if (frame.ref !== undefined) joinRefs.delete(frame.ref);
        joined(frame);
        break;
      case 'message.new':
        deliver(frame.message);
        break;
      case 'history.page':
        for (const m of frame.messages) deliver(m);
        break;
      case 'message.ack': {
        sendRefs.delete(frame.ref);
        const entry = removeEntry(frame.clientId);
        entry?.ack?.resolve(frame);
        events.emit('ack', frame);
        return;
      }
      case 'conversation.escalated':
        updateInfo(frame.conversationId, { status: frame.status === 'queued' ? 'queued' : 'offline', escalationReason: frame.reason });
        break;
      case 'conversation.assigned':
        updateInfo(frame.conversationId, { status: 'assigned', agent: frame.agent });
        break;
      case 'conversation.closed':
        updateInfo(frame.conversationId, { status: 'closed' });
        break;
      case 'typing.update':
        events.emit('typing', frame);
        break;
      case 'read.update':
        events.emit('read', frame);
        break;
      case 'presence.update':
        events.emit('presence', frame);
        break;
      case 'queue.update':
      case 'queue.snapshot':
        events.emit('queue', frame);
        break;
      case 'agent.joined':
      case 'agent.left':
        events.emit('agent', frame);
        break;
      case 'rating.created':
        events.emit('rating', frame);
        break;
      case 'token.rotated':
        socket.setIssuedToken(frame.token);
        events.emit('token', frame.token);
        break;
      case 'error':
        return onErrorFrame(frame);
      default:
        // welcome (a second one), pong and ok need nothing beyond settling their request.
        break;
    }
    if ('ref' in frame && frame.ref !== undefined) requests.settle(frame.ref, frame);
  };

  const onErrorFrame = (frame: ServerFrame & { type: 'error' }): void => {
    const ref = frame.ref;
    if (ref !== undefined) {
      const clientId = sendRefs.get(ref);
      if (clientId !== undefined) {
        sendRefs.delete(ref);
        return sendFailed(clientId, errorFromFrame(frame));
      }
      const joining = joinRefs.get(ref);
      if (joining !== undefined) {
        joinRefs.delete(ref);
        return joinFailed(joining, errorFromFrame(frame));
      }
      if (requests.settle(ref, frame)) return;
    }
    const error = errorFromFrame(frame);
    const conv = frame.conversationId === undefined ? undefined : conversations.get(frame.conversationId);
    // A failed `hello.resume` point comes without a ref but names its conversation.
    if (conv !== undefined && conv.joinedOn !== connection) return joinFailed(conv, error);
    emitError(error);
  };

  const onWelcome = (): void => {
    connection += 1;
    // hello.resume holds at most maxResume conversations, and join() may have added one since the hello went
    // out: those are joined one by one.
    for (const conv of conversations.values()) if (!resumed.has(conv.id)) sendJoin(conv);
    const frames = queued;
    queued = [];
    for (const frame of frames) if (requests.has(frame.ref)) send(frame);
    for (const [conversationId, upToSeq] of pendingReads) send({ type: 'read', ref: nextRef(), conversationId, upToSeq });
    pendingReads.clear();
  };

  /** Conversations in the last hello's resume. */
  let resumed = new Set<string>();
  const resumePoints = (): ResumePoint[] => {
    const points = [...conversations.values()]
      .slice(-DEFAULT_LIMITS.maxResume)
      .map((c) => ({ conversationId: c.id, afterSeq: c.seq.lastSeq }));
    resumed = new Set(points.map((p) => p.conversationId));
    return points;
  };

  const onDown = (): void => {
    sendRefs.clear();
    joinRefs.clear();
    queued = [];
    const error = new ParleyError('TRANSPORT_CLOSED', 'the connection closed before a reply', { retryable: !isClosed });
    requests.failAll(error);
    for (const conv of conversations.values()) {
      conv.isFetching = false;
      conv.joinedOn = 0;
      settleWaiters(conv, { error });
    }
  };

  const socket = createSocket(
    {
      url: options.url,
      role: options.role,
      WebSocket: WebSocketImpl,
      getToken: options.getToken,
      getIdentity: options.getIdentity,
      siteKey: options.siteKey,
      heartbeatMs: options.heartbeatMs,
      handshakeTimeoutMs: requestTimeoutMs,
      backoff,
      random,
      online: options.online ?? defaultOnlineSource(),
      serverFrames,
    },
    {
      resume: resumePoints,
      isNeeded: () => conversations.size > 0 || outbox.length > 0 || queued.length > 0,
      onState: (state) => events.emit('state', state),
      onWelcome: (welcome) => {
        subjectId = welcome.subjectId;
        onWelcome();
      },
      onFrame,
      onBadFrame: (error, ref) => {
        // A reply we cannot read fails its request or join; anything else is reported and skipped.
        const joining = ref === undefined ? undefined : joinRefs.get(ref);
        if (joining !== undefined) joinFailed(joining, error);
        else if (ref === undefined || !requests.fail(ref, error)) emitError(error);
      },
      onDown,
      onError: emitError,
      onToken: (token) => events.emit('token', token),
      nextRef,
    },
  );

  // ---- public API ------------------------------------------------------------------------------------------

  return {
    get state() {
      return socket.state;
    },
    get token() {
      return socket.token;
    },
    get subjectId() {
      return subjectId;
    },
    on: (event, fn) => events.on(event, fn),
    connect: ensureConnected,

    async startConversation(start = {}) {
      if (start.clientId !== undefined) checkId('clientId', start.clientId);
      load();
      const problem = unavailable();
      if (problem !== null) throw problem;
      const frame: ClientFrame = { type: 'conversation.start', ref: nextRef(), clientId: start.clientId ?? randomId() };
      if (start.profile !== undefined) frame.profile = start.profile;
      const reply = (await track(frame)) as ConversationJoinedFrame;
      const conv = register(reply.conversation.id);
      // Unlike a join, a start does not replay messages: fetch what an idempotent retry may have missed.
      if (reply.conversation.lastSeq > conv.seq.lastSeq) fetchHistory(conv);
      return reply.conversation;
    },

    join(conversationId) {
      checkId('conversationId', conversationId);
      load();
      const isNew = !conversations.has(conversationId);
      const conv = register(conversationId);
      if (isNew) saveSeqs();
      const problem = unavailable();
      if (problem !== null) return Promise.reject(problem);
      if (isOpen() && conv.joinedOn === connection && conv.info !== undefined) return Promise.resolve(conv.info);
      const result = waitForJoin(conv);
      // When not open, the hello's resume (or the overflow joins after the welcome) will join it.
      if (isOpen()) sendJoin(conv);
      else ensureConnected();
      return result;
    },

    send(conversationId, text, sendOptions = {}) {
      checkId('conversationId', conversationId);
      const clientId = sendOptions.clientId ?? randomId();
      checkId('clientId', clientId);
      load();
      const existing = outbox.find((e) => e.clientId === clientId);
      // Sending a clientId again (a retry button) must not queue it twice: wait for the same ack.
      if (existing !== undefined) return { clientId, acked: ackOf(existing) };
      if (isFinal()) return { clientId, acked: handled(Promise.reject(notConnectedError())) };
      if (text.length > DEFAULT_LIMITS.maxTextLength) {
        // User input, not an integrator mistake: the server would refuse it, and count it as abuse.
        const error = new ParleyError('PROTOCOL_STRING_TOO_LONG', `a message holds at most ${DEFAULT_LIMITS.maxTextLength} characters`, {
          details: { clientId, length: text.length },
        });
        emitError(error);
        return { clientId, acked: handled(Promise.reject(error)) };
      }
      if (outbox.length >= maxOutbox) {
        const error = new ParleyError('TRANSPORT_OUTBOX_FULL', `${maxOutbox} messages are waiting to be sent`, { retryable: true, details: { clientId } });
        emitError(error);
        return { clientId, acked: handled(Promise.reject(error)) };
      }
      const entry: QueuedEntry = {
        conversationId,
        clientId,
        text,
        ...(sendOptions.attachments?.length ? { attachments: sendOptions.attachments } : {}),
        ...(sendOptions.quickReplies?.length ? { quickReplies: sendOptions.quickReplies } : {}),
        sentOn: 0,
        retries: 0,
        ack: undefined,
      };
      const acked = ackOf(entry);
      myClientIds.add(clientId);
      outbox.push(entry);
      const conv = register(conversationId);
      saveOutbox();
      saveSeqs();
      if (isOpen() && conv.joinedOn === connection) sendEntry(entry);
      else ensureConnected();
      return { clientId, acked };
    },

    request<F extends RequestFrame>(frame: F & { ref?: never }) {
      load();
      const problem = unavailable();
      if (problem !== null) return Promise.reject(problem);
      return track({ ...frame, ref: nextRef() } as ClientFrame & { ref: string }) as Promise<RequestReplies[F['type']]>;
    },

    typing(conversationId, isTyping) {
      send({ type: 'typing', ref: nextRef(), conversationId, isTyping });
    },

    read(conversationId, upToSeq) {
      if (send({ type: 'read', ref: nextRef(), conversationId, upToSeq })) return;
      pendingReads.set(conversationId, Math.max(upToSeq, pendingReads.get(conversationId) ?? 0));
    },

    close() {
      if (isClosed) return;
      isClosed = true;
      // A tab may be replaced by a new client in the same tick (tests, hot reload): write what is pending now.
      if (isSeqSaveQueued) writeSeqs();
      socket.stop();
      // stop() ran onDown if a connection existed; this covers waits made while idle, waiting or offline.
      onDown();
      const error = new ParleyError('TRANSPORT_CLOSED', 'the client was closed; the message stays in the outbox storage', { retryable: false });
      for (const entry of outbox) entry.ack?.reject(error);
    },
  };
}
