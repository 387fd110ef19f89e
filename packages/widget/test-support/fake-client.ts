// A scripted stand-in for @parley/transport's client, for store and component unit tests only.
import type { ConversationInfo, MessageAckFrame, ServerFrame } from '@parley/protocol';
import type { ClientEvents } from '@parley/transport';
import { vi } from 'vitest';
import type { ChatClient } from '../src/store/chat-client.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => ((resolve = a), (reject = b)));
  return { promise, resolve, reject };
}

export const info = (over: Partial<ConversationInfo> = {}): ConversationInfo => ({
  id: 'c1',
  status: 'bot',
  lastSeq: 0,
  createdAt: 0,
  visitorId: 'v1',
  ...over,
});

export function createFakeClient(replies: { escalateStatus?: 'queued' | 'offline' } = {}) {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const acks = new Map<string, Deferred<MessageAckFrame>>();
  const client = {
    on: vi.fn((event: string, fn: (p: unknown) => void) => {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(fn);
      return () => listeners.get(event)!.delete(fn);
    }),
    startConversation: vi.fn(async () => info()),
    join: vi.fn(async (id: string) => info({ id })),
    send: vi.fn((conversationId: string, _text: string, opts?: { clientId?: string }) => {
      const clientId = opts?.clientId ?? `x-${acks.size}`;
      const d = deferred<MessageAckFrame>();
      acks.set(clientId, d);
      return { clientId, acked: d.promise };
    }),
    request: vi.fn(async (frame: { type: string; conversationId: string; reason?: string }): Promise<unknown> => {
      if (frame.type === 'conversation.escalate') {
        return { type: 'conversation.escalated', conversationId: frame.conversationId, reason: frame.reason, status: replies.escalateStatus ?? 'queued' };
      }
      if (frame.type === 'history.get') return { type: 'history.page', ref: 'r', conversationId: frame.conversationId, messages: [], hasMore: false };
      return { type: 'ok', ref: 'r' };
    }),
    typing: vi.fn(),
    read: vi.fn(),
    close: vi.fn(),
  };
  return {
    client: client as unknown as ChatClient,
    mock: client,
    emit<K extends keyof ClientEvents>(event: K, payload: ClientEvents[K]): void {
      for (const fn of listeners.get(event) ?? []) fn(payload);
    },
    frame(f: ServerFrame): void {
      for (const fn of listeners.get('frame') ?? []) fn(f);
    },
    ack(clientId: string, seq: number): void {
      acks.get(clientId)?.resolve({ type: 'message.ack', ref: 'r', conversationId: 'c1', clientId, seq, at: 1 });
    },
    fail(clientId: string): void {
      acks.get(clientId)?.reject(Object.assign(new Error('closed'), { code: 'CONVERSATION_CLOSED' }));
    },
  };
}

/** Lets queued promise callbacks run. */
export const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};
