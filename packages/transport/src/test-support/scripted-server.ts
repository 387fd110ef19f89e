// Test support: a real `ws` server on port 0 playing a minimal, scriptable Parley server. Never bundled.

import { WebSocketServer, type WebSocket } from 'ws';
import {
  decodeClientFrame,
  encodeFrame,
  PROTOCOL_VERSION,
  type ClientFrame,
  type ConversationInfo,
  type Message,
  type ServerFrame,
} from '@parley/protocol';

export interface ServerConnection {
  socket: WebSocket;
  /** Every decoded frame this connection sent, in order. */
  frames: ClientFrame[];
  send(frame: ServerFrame | Record<string, unknown>): void;
  sendRaw(data: string): void;
  close(code: number, reason?: string): void;
}

/** Return true when the frame was handled and the default behaviour must be skipped. */
export type FrameScript = (conn: ServerConnection, frame: ClientFrame) => boolean | void;

export interface ScriptedServer {
  readonly url: string;
  readonly port: number;
  readonly connections: ServerConnection[];
  /** Stored messages per conversation. */
  readonly messages: Map<string, Message[]>;
  readonly conversations: Map<string, ConversationInfo>;
  heartbeatMs: number;
  subjectId: string;
  /** Token put in the welcome, if any. */
  issueToken: string | undefined;
  script: FrameScript | undefined;
  /** Every frame of a type, over all connections. */
  received<T extends ClientFrame['type']>(type: T): Array<Extract<ClientFrame, { type: T }>>;
  /** Stores a message from someone else and broadcasts it. */
  post(conversationId: string, text: string, authorId?: string): Message;
  close(): Promise<void>;
}

export async function startScriptedServer(): Promise<ScriptedServer> {
  const wss = new WebSocketServer({ port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const address = wss.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const connections: ServerConnection[] = [];
  const messages = new Map<string, Message[]>();
  const conversations = new Map<string, ConversationInfo>();
  const startedBy = new Map<string, string>();
  let conversationCounter = 0;

  const server: ScriptedServer = {
    url: `ws://127.0.0.1:${port}`,
    port,
    connections,
    messages,
    conversations,
    heartbeatMs: 25_000,
    subjectId: 'visitor-1',
    issueToken: undefined,
    script: undefined,
    received(type) {
      return connections.flatMap((c) => c.frames.filter((f) => f.type === type)) as never;
    },
    post(conversationId, text, authorId = 'agent-1') {
      return store(conversationId, `srv-${Math.random().toString(36).slice(2)}`, text, authorId, authorId === 'agent-1' ? 'agent' : 'visitor');
    },
    async close() {
      for (const c of connections) c.socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };

  const broadcast = (frame: ServerFrame): void => {
    for (const c of connections) if (c.socket.readyState === 1) c.send(frame);
  };

  function store(conversationId: string, clientId: string, text: string, authorId: string, role: 'visitor' | 'agent'): Message {
    const list = messages.get(conversationId) ?? [];
    messages.set(conversationId, list);
    const message: Message = {
      conversationId,
      seq: list.length + 1,
      clientId,
      author: { role, id: authorId },
      kind: 'text',
      text,
      at: 1_700_000_000_000 + list.length,
    };
    list.push(message);
    const info = conversations.get(conversationId);
    if (info !== undefined) info.lastSeq = message.seq;
    broadcast({ type: 'message.new', message });
    return message;
  }

  const ensureConversation = (id: string): ConversationInfo => {
    let info = conversations.get(id);
    if (info === undefined) {
      info = { id, status: 'bot', lastSeq: messages.get(id)?.length ?? 0, createdAt: 1_700_000_000_000, visitorId: server.subjectId };
      conversations.set(id, info);
    }
    return info;
  };

  const join = (conn: ServerConnection, conversationId: string, afterSeq: number, ref?: string): void => {
    const info = ensureConversation(conversationId);
    if (afterSeq > info.lastSeq) {
      conn.send({ type: 'error', ...(ref === undefined ? {} : { ref }), code: 'PROTOCOL_STALE_RESUME', message: 'stale', conversationId });
      return;
    }
    conn.send({ type: 'conversation.joined', ...(ref === undefined ? {} : { ref }), conversation: { ...info } });
    for (const m of messages.get(conversationId) ?? []) if (m.seq > afterSeq) conn.send({ type: 'message.new', message: m });
  };

  const defaultHandle = (conn: ServerConnection, frame: ClientFrame): void => {
    switch (frame.type) {
      case 'hello':
        conn.send({
          type: 'welcome',
          ref: frame.ref,
          v: PROTOCOL_VERSION,
          role: frame.role,
          subjectId: server.subjectId,
          heartbeatMs: server.heartbeatMs,
          ...(server.issueToken === undefined ? {} : { token: server.issueToken }),
        });
        for (const point of frame.resume ?? []) join(conn, point.conversationId, point.afterSeq);
        return;
      case 'ping':
        return conn.send({ type: 'pong', ref: frame.ref });
      case 'conversation.start': {
        let id = startedBy.get(frame.clientId);
        if (id === undefined) {
          id = `c${++conversationCounter}`;
          startedBy.set(frame.clientId, id);
        }
        return conn.send({ type: 'conversation.joined', ref: frame.ref, conversation: { ...ensureConversation(id) } });
      }
      case 'conversation.join':
        return join(conn, frame.conversationId, frame.afterSeq, frame.ref);
      case 'message.send': {
        const list = messages.get(frame.conversationId) ?? [];
        const existing = list.find((m) => m.clientId === frame.clientId);
        if (existing !== undefined) {
          return conn.send({ type: 'message.ack', ref: frame.ref, conversationId: frame.conversationId, clientId: frame.clientId, seq: existing.seq, at: existing.at, duplicate: true });
        }
        const m = store(frame.conversationId, frame.clientId, frame.text, server.subjectId, 'visitor');
        return conn.send({ type: 'message.ack', ref: frame.ref, conversationId: frame.conversationId, clientId: frame.clientId, seq: m.seq, at: m.at });
      }
      case 'history.get': {
        const after = frame.afterSeq ?? 0;
        const rest = (messages.get(frame.conversationId) ?? []).filter((m) => m.seq > after);
        const limit = frame.limit ?? 2;
        return conn.send({ type: 'history.page', ref: frame.ref, conversationId: frame.conversationId, messages: rest.slice(0, limit), hasMore: rest.length > limit });
      }
      default:
        return conn.send({ type: 'ok', ref: frame.ref });
    }
  };

  wss.on('connection', (socket) => {
    const conn: ServerConnection = {
      socket,
      frames: [],
      send: (frame) => socket.send(encodeFrame(frame as ServerFrame)),
      sendRaw: (data) => socket.send(data),
      close: (code, reason) => socket.close(code, reason),
    };
    connections.push(conn);
    socket.on('message', (data) => {
      const decoded = decodeClientFrame(data as Buffer);
      if (!decoded.ok) throw decoded.error;
      conn.frames.push(decoded.frame);
      if (server.script?.(conn, decoded.frame) === true) return;
      defaultHandle(conn, decoded.frame);
    });
  });

  return server;
}
