// What a handler may touch: the session, a reply channel, fanout, storage and shared services. Never the socket.

import type { AgentInfo, ClientFrame, Limits, Role, ServerFrame } from '@parley/protocol';
import type { Fanout, FanoutMessage } from '../fanout/fanout.js';
import type { Logger } from '../logger.js';
import type { AgentPresence } from '../presence.js';
import type { Router } from '../routing/router.js';
import type { Storage } from '../storage/storage.js';
import type { VisitorTokens } from '../token.js';
import type { VerifiedIdentity } from '../identity.js';
import type { UploadStore } from '../uploads/disk-store.js';
import type { TranscriptMail } from '../mail/transcript-mail.js';

/** Who is on the other end, once `hello` succeeded. */
export interface Session {
  role: Role;
  /** visitorId or agentId. */
  subjectId: string;
  siteId: string;
  /** Set for agents: how they appear to visitors. */
  agent?: AgentInfo;
  /** Set for visitors who proved a shopper identity in `hello`; a JWT's `expiresAt` bounds the session's actions. */
  identity?: VerifiedIdentity;
  /** Set for agents: SHA-256 of the token they authenticated with, so revoking that one token can reach them. */
  credentialHash?: string;
}

/** Shared by every connection of one server. */
export interface ServerServices {
  storage: Storage;
  fanout: Fanout;
  tokens: VisitorTokens;
  limits: Readonly<Limits>;
  logger: Logger;
  presence: AgentPresence;
  /** Assignment, transfer, requeue and the presence sweep. */
  router: Router;
  heartbeatMs: number;
  now: () => number;
  /** Spends one of the visitor's conversation starts; false when they are over the limit. */
  takeConversationStart(visitorId: string): boolean;
  /** Counts an `error` frame sent to a client (metrics). */
  countError?(code: string): void;
  /** Where uploads live; message attachments must point at one of them. Absent: attachments are refused. */
  uploads?: UploadStore;
  /** Transcript e-mails (`transcript.email`); absent when no SMTP is set up. */
  mail?: TranscriptMail;
}

export interface HandlerContext {
  readonly connectionId: string;
  /** The endpoint the socket connected to (`/ws/visitor` or `/ws/agent`). */
  readonly endpointRole: Role;
  /** The `Origin` header of the upgrade, when the client sent one. */
  readonly origin: string | undefined;
  /** The client's IP as the server resolved it (trustProxy applied), for per-address budgets. */
  readonly address: string;
  readonly session: Session | undefined;
  readonly services: ServerServices;
  /** Marks the connection authenticated and subscribes it to its subject's topics. */
  authenticate(session: Session): Promise<void>;
  /** Sends a frame to this connection only. */
  reply(frame: ServerFrame): void;
  /** Subscribes this connection to a topic; idempotent. */
  subscribe(topic: string): Promise<void>;
  publish(topic: string, message: FanoutMessage): Promise<void>;
}

export type Handler<F extends ClientFrame = ClientFrame> = (ctx: HandlerContext, frame: F) => Promise<void>;
