// Test doubles for the console: a scriptable transport client and REST API, and an in-memory storage. Test-only.

import { vi } from 'vitest';
import type { ClientEvents, ParleyClient } from '@parley/transport';
import type { ConsoleApi } from '../api.js';
import type { ConsoleDeps } from '../store/console-store.js';
import { createConsoleStore } from '../store/console-store.js';
import type { Notifier } from '../notifier.js';

export interface FakeClient extends ParleyClient {
  emit<K extends keyof ClientEvents>(event: K, payload: ClientEvents[K]): void;
  request: ReturnType<typeof vi.fn> & ParleyClient['request'];
  join: ReturnType<typeof vi.fn> & ParleyClient['join'];
  send: ReturnType<typeof vi.fn> & ParleyClient['send'];
  typing: ReturnType<typeof vi.fn> & ParleyClient['typing'];
  read: ReturnType<typeof vi.fn> & ParleyClient['read'];
  close: ReturnType<typeof vi.fn> & ParleyClient['close'];
}

export function fakeClient(): FakeClient {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const client = {
    state: 'open',
    subjectId: 'a_1',
    on(event: string, fn: (payload: unknown) => void) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(fn);
      return () => listeners.get(event)!.delete(fn);
    },
    emit(event: string, payload: unknown) {
      for (const fn of listeners.get(event) ?? []) fn(payload);
    },
    connect: vi.fn(),
    startConversation: vi.fn(),
    request: vi.fn(async (frame: { type: string; conversationId?: string; clientId?: string; text?: string }) => {
      if (frame.type === 'note.add') {
        return { type: 'note.new', note: { conversationId: frame.conversationId, clientId: frame.clientId, author: { role: 'agent', id: 'a_1', name: 'Alice' }, text: frame.text, at: Date.now() } };
      }
      if (frame.type === 'conversation.accept') return { type: 'conversation.assigned', conversationId: frame.conversationId, agent: { id: 'a_1', name: 'Alice' } };
      if (frame.type === 'conversation.close') return { type: 'conversation.closed', conversationId: frame.conversationId, by: 'agent' };
      return { type: 'ok', ref: 'r' };
    }),
    join: vi.fn(async (id: string) => ({ id, status: 'assigned', lastSeq: 0, createdAt: 1, visitorId: 'v_1' })),
    send: vi.fn(() => ({ clientId: 'c1', acked: Promise.resolve({ type: 'message.ack', ref: 'r', conversationId: 'c', clientId: 'c1', seq: 1, at: 1 }) })),
    typing: vi.fn(),
    read: vi.fn(),
    close: vi.fn(),
  };
  return client as unknown as FakeClient;
}

export const AGENT = { id: 'a_1', name: 'Alice', email: 'alice@shop.io', role: 'admin' as const, availability: 'offline' as const };

export function fakeApi(overrides: Partial<ConsoleApi> = {}): ConsoleApi {
  return {
    login: vi.fn(async () => ({ token: 'pat_session', expiresAt: Date.now() + 1000, agent: AGENT })),
    logout: vi.fn(async () => undefined),
    me: vi.fn(async () => AGENT),
    listConversations: vi.fn(async () => []),
    getConversation: vi.fn(async (_token: string, id: string) => ({
      conversation: {
        id, siteId: 's', visitorId: 'v_1', status: 'assigned' as const, lastSeq: 0, createdAt: 1, profile: { name: 'Ada', page: 'https://shop.example/cart' },
        visitorReadSeq: 0, agentReadSeq: 0, transcript: [], pages: [{ url: 'https://shop.example/', at: 1 }],
      },
      messages: [],
      hasMoreMessages: false,
    })),
    uploadFile: vi.fn(async (_token: string, file: File) => ({ name: file.name, mime: file.type, size: file.size, url: 'http://chat.test/uploads/AAAAAAAAAAAAAAAAAAAAAAAA' })),
    listAgents: vi.fn(async () => [
      { id: 'a_1', name: 'Alice', availability: 'online' as const, capacity: 3, activeCount: 1 },
      { id: 'a_2', name: 'Bob', availability: 'online' as const, capacity: 3, activeCount: 0 },
      { id: 'a_3', name: 'Cem', availability: 'away' as const, capacity: 3, activeCount: 0 },
    ]),
    csat: vi.fn(async () => ({ since: 0, days: 2, count: 1, average: 4, perAgent: [{ agentId: 'a_1', name: 'Alice', count: 1, average: 4 }], perDay: [{ day: '2025-01-01', count: 0, average: null }, { day: '2025-01-02', count: 1, average: 4 }] })),
    ...overrides,
  };
}

export function memoryStorage() {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  };
}

export function fakeNotifier() {
  return {
    permission: () => 'default' as const,
    requestPermission: vi.fn(async () => 'granted' as const),
    notify: vi.fn((_title: string, _body: string, _tag: string) => undefined),
    setBadge: vi.fn((_count: number) => undefined),
  } satisfies Notifier;
}

/** A store wired to fakes; `client` is the one the store created on login. */
export function makeStore(deps: Partial<ConsoleDeps> = {}) {
  const clients: FakeClient[] = [];
  const api = deps.api ?? fakeApi();
  const notifier = fakeNotifier();
  const session = memoryStorage();
  const local = memoryStorage();
  let isVisible = true;
  const store = createConsoleStore({
    api,
    createClient: () => {
      const c = fakeClient();
      clients.push(c);
      return c;
    },
    sessionStorage: session,
    localStorage: local,
    notifier,
    isPageVisible: () => isVisible,
    ...deps,
  });
  return {
    store,
    api,
    notifier,
    session,
    local,
    client: () => clients.at(-1)!,
    setVisible(value: boolean) {
      isVisible = value;
    },
  };
}

export const QUEUE_ENTRY = {
  conversationId: 'c_1',
  position: 1,
  etaSeconds: 60,
  waitingSince: Date.now() - 90_000,
  reason: 'negative_feedback' as const,
  visitor: { name: 'Ada', email: 'ada@x.io', locale: 'en-GB', page: 'https://shop.example/cart' },
  transcript: [
    { kind: 'question' as const, text: 'where is my parcel', at: 1 },
    { kind: 'answer' as const, text: 'Tracking is in your e-mail.', at: 2, entryId: 'tracking', confidence: 0.41 },
    { kind: 'feedback' as const, text: "didn't help", at: 3, helpful: false },
  ],
};

export function visitorMessage(seq: number, text: string, conversationId = 'c_1') {
  return { conversationId, seq, clientId: `v${seq}`, author: { role: 'visitor' as const, id: 'v_1', name: 'Ada' }, kind: 'text' as const, text, at: Date.now(), isMine: false };
}
