// The console's state and actions as one zustand vanilla store: session, queue, chats, history, CSAT, settings.
// No DOM and no Preact; only actions talk to the transport client and the REST API (both injected).

import { createStore, type StoreApi } from 'zustand/vanilla';
import {
  ParleyError,
  type Availability,
  type ConversationInfo,
  type ConversationStatus,
  type EscalationReason,
  type Message,
  type Note,
  type QueueEntry,
  type RatingScale,
  type ServerFrame,
  type TranscriptItem,
  type VisitorProfile,
} from '@parley/protocol';
import type { ConnectionState, DeliveredMessage, ParleyClient } from '@parley/transport';
import type { ConversationSummary } from '@parley/server';
import type { AgentPresence, AgentProfile, ConsoleApi, ConversationWithMessages, CsatStats } from '../api.js';
import { loadCanned, saveCanned, type CannedResponse, type KeyValueStorage } from '../canned.js';
import type { Suggester } from '../faq-suggest.js';
import type { CloseReason } from '../format.js';
import type { Notifier } from '../notifier.js';

/** `agents`, `sites` and `faq` are the admin pages (shown to admins only). */
export type Route = 'queue' | 'chats' | 'history' | 'csat' | 'settings' | 'agents' | 'sites' | 'faq';
export const ROUTES: readonly Route[] = ['queue', 'chats', 'history', 'csat', 'settings', 'agents', 'sites', 'faq'];

/** One conversation the agent has open. */
export interface Chat {
  id: string;
  status: ConversationStatus;
  visitor: VisitorProfile;
  reason?: EscalationReason;
  transcript: TranscriptItem[];
  pages: Array<{ url: string; title?: string; at: number }>;
  waitingSince?: number;
  messages: DeliveredMessage[];
  /** Visitor messages the agent has not seen. */
  unread: number;
  isVisitorTyping: boolean;
  /** Highest seq the visitor has read (read receipts). */
  visitorReadSeq: number;
  rating?: { score: number; scale?: RatingScale; comment?: string };
  draft: string;
  /** Quick replies to go out with the next message; kept per chat like the draft so switching chats never carries them over. */
  quickReplies: string[];
  /** Internal notes (agents only), oldest first. */
  notes: Note[];
}

export interface ConsoleState {
  auth: { status: 'signed-out' | 'signing-in' | 'signed-in'; token?: string; agent?: AgentProfile; error?: string };
  connection: ConnectionState;
  availability: Availability;
  /** Most chats the agent wants at once; told to the server with the availability. */
  capacity: number;
  queue: QueueEntry[];
  /**
   * What waiting visitors wrote after the hand-off, by conversation: the message a visitor left while nobody was
   * online, or what they typed while in the queue. Loaded once per queue entry.
   */
  queueMessages: Record<string, Message[]>;
  /** Messages left while nobody was online (conversations in status `offline`), newest first; Accept answers one. */
  offline: ConversationSummary[];
  /** Conversation being accepted, so its button can show progress. */
  acceptingId?: string;
  chats: Record<string, Chat>;
  /** Open chats, oldest first. */
  chatOrder: string[];
  activeChatId?: string;
  route: Route;
  /** Announced in a polite live region: outcomes of actions and failures. */
  notice?: string;
  /** `hasMore`: the last page was full, so `loadMoreHistory` may find older results. */
  history: { q: string; status: ConversationStatus | ''; isLoading: boolean; results: ConversationSummary[]; hasMore?: boolean; error?: string; selected?: ConversationWithMessages };
  csat: { isLoading: boolean; stats?: CsatStats; error?: string };
  canned: CannedResponse[];
  suggest?: Suggester;
  notificationPermission: NotificationPermission | 'unsupported';
  /** Colleagues a chat can be transferred to (loaded when the transfer form opens). */
  agents: { isLoading: boolean; list: AgentPresence[]; error?: string };

  restoreSession(): Promise<void>;
  login(email: string, password: string): Promise<void>;
  logout(): Promise<void>;
  /** Closes the connection but keeps the session (unmount). */
  disconnect(): void;
  setAvailability(availability: Availability): Promise<void>;
  setCapacity(capacity: number): Promise<void>;
  /** Takes a queued conversation, or answers an offline message. */
  accept(conversationId: string): Promise<void>;
  /** Reloads the messages left while nobody was online (on sign-in and on opening the queue). */
  loadOffline(): Promise<void>;
  openChat(conversationId: string): void;
  /** With `isNote`, nothing is reported to the visitor (no typing indicator for an internal note). */
  setDraft(conversationId: string, text: string, options?: { isNote?: boolean }): void;
  /** The quick replies the next message in this chat will offer. */
  setQuickReplies(conversationId: string, replies: string[]): void;
  /** `quickReplies`: buttons the visitor's widget offers under this message (at most 5, each at most 40 characters). */
  sendMessage(conversationId: string, text: string, quickReplies?: string[]): void;
  /** Uploads a file with the session token and sends it to the visitor as a message. */
  sendAttachment(conversationId: string, file: File): Promise<void>;
  /** `detail` (free text, required for `other` by the form) is sent after the reason: `other: asked for a refund`. */
  closeChat(conversationId: string, reason: CloseReason, detail?: string): Promise<void>;
  /** Removes a closed chat from the sidebar. */
  dismissChat(conversationId: string): void;
  /** Marks everything shown in the active chat as read, if the page is visible. */
  markActiveRead(): void;
  navigate(route: Route): void;
  searchHistory(query: { q: string; status: ConversationStatus | '' }): Promise<void>;
  /** The next page of the current search, appended. */
  loadMoreHistory(): Promise<void>;
  openHistory(conversationId: string | undefined): Promise<void>;
  loadCsat(): Promise<void>;
  setCanned(list: CannedResponse[]): void;
  enableNotifications(): Promise<void>;
  /** Adds an internal note: agents see it, the visitor never does. */
  addNote(conversationId: string, text: string): Promise<void>;
  loadAgents(): Promise<void>;
  /** Hands a chat to another online agent, or back to the queue when `toAgentId` is undefined. */
  transferChat(conversationId: string, toAgentId: string | undefined): Promise<void>;
}

export type ConsoleStore = StoreApi<ConsoleState>;

export interface ConsoleDeps {
  api: ConsoleApi;
  /** Builds the agent's transport client; `getToken` returns the current session token. */
  createClient(getToken: () => string | undefined): ParleyClient;
  /** Where the session token survives a reload (sessionStorage: gone when the tab closes). */
  sessionStorage?: KeyValueStorage & { removeItem(key: string): void };
  /** Where canned responses are kept. */
  localStorage?: KeyValueStorage;
  notifier?: Notifier;
  /** Resolves the FAQ suggester once after login; undefined when there is no FAQ. */
  loadSuggester?: () => Promise<Suggester | undefined>;
  isPageVisible?: () => boolean;
  now?: () => number;
}

const TOKEN_KEY = 'parley-console:token';
/** After this long without input, tell the visitor the agent stopped typing. */
const TYPING_IDLE_MS = 4000;
const DEFAULT_CAPACITY = 3;
/** History results per page. */
const HISTORY_PAGE = 50;
/** Keeps `reason: detail` within the protocol's label limit (512). */
const MAX_CLOSE_DETAIL = 400;

/** Idempotency key of a note (retries of the same request reuse it inside transport). */
function newClientId(): string {
  return `note_${globalThis.crypto.randomUUID()}`;
}

function describeFailure(err: unknown): string {
  return err instanceof ParleyError ? err.message : 'Something went wrong. Try again.';
}

/** One store per mounted console. */
export function createConsoleStore(deps: ConsoleDeps): ConsoleStore {
  const isPageVisible = deps.isPageVisible ?? (() => true);
  let client: ParleyClient | undefined;
  let unsubscribers: Array<() => void> = [];
  let seenQueueIds: Set<string> | undefined;
  const queueMessagesRequested = new Set<string>();
  const typingTimers = new Map<string, ReturnType<typeof setTimeout>>();

  const store = createStore<ConsoleState>()((set, get) => {
    const notice = (text: string) => set({ notice: text });
    const patchChat = (id: string, change: Partial<Chat> | ((chat: Chat) => Partial<Chat>)) => {
      const chat = get().chats[id];
      if (chat === undefined) return;
      const next = typeof change === 'function' ? change(chat) : change;
      set({ chats: { ...get().chats, [id]: { ...chat, ...next } } });
    };
    const addChat = (chat: Chat) => {
      const { chats, chatOrder } = get();
      if (chats[chat.id] !== undefined) return;
      set({ chats: { ...chats, [chat.id]: chat }, chatOrder: [...chatOrder, chat.id] });
    };
    const emptyChat = (id: string, from: Partial<Chat>): Chat => ({
      id,
      status: 'assigned',
      visitor: {},
      transcript: [],
      pages: [],
      messages: [],
      unread: 0,
      isVisitorTyping: false,
      visitorReadSeq: 0,
      draft: '',
      quickReplies: [],
      notes: [],
      ...from,
    });

    function stopTyping(id: string) {
      const timer = typingTimers.get(id);
      if (timer === undefined) return;
      clearTimeout(timer);
      typingTimers.delete(id);
      client?.typing(id, false);
    }

    function onMessage(message: DeliveredMessage) {
      const id = message.conversationId;
      const chat = get().chats[id];
      if (chat === undefined) return;
      if (chat.messages.some((m) => m.seq === message.seq)) return;
      const isFromVisitor = message.author.role === 'visitor' && message.kind === 'text';
      const isSeen = get().activeChatId === id && get().route === 'chats' && isPageVisible();
      patchChat(id, (c) => ({
        messages: [...c.messages, message],
        unread: isFromVisitor && !isSeen ? c.unread + 1 : c.unread,
        isVisitorTyping: isFromVisitor ? false : c.isVisitorTyping,
      }));
      if (isFromVisitor && isSeen) client?.read(id, message.seq);
      if (isFromVisitor && !isSeen) deps.notifier?.notify(`${chat.visitor.name ?? 'Visitor'} wrote`, message.text.slice(0, 120), `msg-${id}`);
    }

    async function loadQueueMessages(id: string) {
      const token = get().auth.token;
      if (token === undefined) return;
      try {
        const { messages } = await deps.api.getConversation(token, id);
        const left = messages.filter((m) => m.author.role === 'visitor' && m.kind === 'text');
        const isWaiting = get().queue.some((e) => e.conversationId === id) || get().offline.some((c) => c.id === id);
        if (left.length > 0 && isWaiting) set({ queueMessages: { ...get().queueMessages, [id]: left } });
      } catch (err) {
        // The entry still shows its transcript; the chat shows every message once accepted.
        notice(`Could not load a waiting visitor's messages: ${describeFailure(err)}`);
      }
    }

    function onQueue(entries: QueueEntry[]) {
      const fresh = seenQueueIds === undefined ? [] : entries.filter((e) => !seenQueueIds!.has(e.conversationId));
      seenQueueIds = new Set(entries.map((e) => e.conversationId));
      const kept = Object.fromEntries(Object.entries(get().queueMessages).filter(([id]) => seenQueueIds!.has(id) || get().offline.some((c) => c.id === id)));
      set({ queue: entries, queueMessages: kept });
      for (const entry of entries) {
        if (queueMessagesRequested.has(entry.conversationId)) continue;
        queueMessagesRequested.add(entry.conversationId);
        void loadQueueMessages(entry.conversationId);
      }
      for (const entry of fresh) {
        deps.notifier?.notify('New visitor waiting', `${entry.visitor.name ?? 'A visitor'}: ${entry.transcript.find((t) => t.kind === 'question')?.text ?? ''}`.slice(0, 140), `queue-${entry.conversationId}`);
      }
    }

    function onConversation(info: ConversationInfo) {
      patchChat(info.id, { status: info.status });
      if (info.status === 'closed') stopTyping(info.id);
    }

    function mergeNotes(id: string, notes: readonly Note[]) {
      patchChat(id, (chat) => {
        const known = new Set(chat.notes.map((n) => n.clientId));
        const fresh = notes.filter((n) => n.conversationId === id && !known.has(n.clientId));
        return fresh.length === 0 ? {} : { notes: [...chat.notes, ...fresh].sort((a, b) => a.at - b.at) };
      });
    }

    // Pushes a console needs beyond what the transport turns into events: automatic assignment and transfers to
    // this agent (join the chat without a click), and internal notes.
    function onFrame(frame: ServerFrame) {
      if (frame.type === 'note.new') {
        mergeNotes(frame.note.conversationId, [frame.note]);
        return;
      }
      if (frame.type !== 'conversation.assigned' || frame.ref !== undefined) return;
      const me = get().auth.agent?.id;
      const id = frame.conversationId;
      if (frame.agent.id !== me) {
        // Someone else has it now (our transfer, or one from another tab of ours): it is no longer ours to answer.
        const chat = get().chats[id];
        if (chat !== undefined && chat.status !== 'closed') {
          stopTyping(id);
          get().dismissChat(id);
          notice(`${chat.visitor.name ?? 'The visitor'} is now with ${frame.agent.name}.`);
        }
        return;
      }
      if (get().acceptingId === id) return;
      const existing = get().chats[id];
      if (existing !== undefined) {
        if (existing.status !== 'assigned') patchChat(id, { status: 'assigned' });
        return;
      }
      const entry = get().queue.find((e) => e.conversationId === id);
      addChat(
        emptyChat(id, {
          visitor: entry?.visitor ?? {},
          transcript: entry?.transcript ?? [],
          ...(entry === undefined ? {} : { reason: entry.reason, waitingSince: entry.waitingSince }),
        }),
      );
      if (get().activeChatId === undefined) set({ activeChatId: id });
      void joinChat(id);
      // Announced once the details are in: a conversation assigned straight from the hand-off was never in our
      // queue, so only the detail knows the visitor's name and question.
      void loadDetail(id).then(() => {
        const chat = get().chats[id];
        if (chat === undefined) return;
        const who = chat.visitor.name ?? 'a visitor';
        const question = chat.transcript.find((t) => t.kind === 'question')?.text;
        notice(`New chat with ${who} assigned to you.`);
        deps.notifier?.notify('New chat assigned to you', `${who}${question === undefined ? '' : `: ${question}`}`.slice(0, 140), `assigned-${id}`);
      });
    }

    function connect(token: string) {
      client?.close();
      seenQueueIds = undefined;
      queueMessagesRequested.clear();
      const c = deps.createClient(() => get().auth.token ?? token);
      client = c;
      unsubscribers = [
        c.on('state', (state) => set({ connection: state })),
        c.on('queue', (frame) => {
          if (frame.type === 'queue.snapshot') onQueue(frame.entries);
        }),
        c.on('message', onMessage),
        c.on('frame', onFrame),
        c.on('conversation', onConversation),
        c.on('typing', (frame) => {
          if (frame.author.role === 'visitor') patchChat(frame.conversationId, { isVisitorTyping: frame.isTyping });
        }),
        c.on('read', (frame) => {
          if (frame.role === 'visitor') patchChat(frame.conversationId, (chat) => ({ visitorReadSeq: Math.max(chat.visitorReadSeq, frame.upToSeq) }));
        }),
        c.on('rating', (frame) =>
          patchChat(frame.conversationId, {
            rating: { score: frame.score, ...(frame.scale === undefined ? {} : { scale: frame.scale }), ...(frame.comment === undefined ? {} : { comment: frame.comment }) },
          }),
        ),
        c.on('error', (err) => {
          if (err.code === 'AUTH_INVALID_TOKEN' || err.code === 'AUTH_EXPIRED_TOKEN') {
            void get().logout();
            set({ auth: { status: 'signed-out', error: 'Your session has ended. Sign in again.' } });
          } else notice(err.message);
        }),
      ];
      void get().setAvailability(get().availability);
    }

    async function loadDetail(id: string) {
      const token = get().auth.token;
      if (token === undefined) return;
      try {
        const { conversation, notes } = await deps.api.getConversation(token, id);
        if (notes !== undefined) mergeNotes(id, notes);
        // Merge rather than replace: the socket may have moved on (closed) and the queue entry may know more.
        patchChat(id, (chat) => ({
          status: chat.status === 'closed' ? 'closed' : conversation.status,
          visitor: { ...chat.visitor, ...conversation.profile },
          transcript: conversation.transcript.length > 0 ? conversation.transcript : chat.transcript,
          pages: conversation.pages,
          ...(conversation.escalationReason === undefined ? {} : { reason: conversation.escalationReason }),
          ...(conversation.rating === undefined ? {} : { rating: conversation.rating }),
          ...(conversation.queuedAt === undefined ? {} : { waitingSince: conversation.queuedAt }),
        }));
      } catch (err) {
        // The chat still works without the detail (profile and transcript came with the queue entry).
        notice(`Could not load the conversation details: ${describeFailure(err)}`);
      }
    }

    async function joinChat(id: string) {
      try {
        const info = await client!.join(id);
        patchChat(id, { status: info.status });
      } catch (err) {
        notice(`Could not open the conversation: ${describeFailure(err)}`);
      }
    }

    async function startSession(token: string, agent: AgentProfile) {
      set({ auth: { status: 'signed-in', token, agent }, availability: agent.availability === 'offline' ? 'online' : agent.availability });
      connect(token);
      void get().loadOffline();
      if (deps.loadSuggester !== undefined) {
        deps.loadSuggester().then(
          (suggest) => set(suggest === undefined ? {} : { suggest }),
          // loadSuggester reports its own failures; suggestions are optional.
          () => undefined,
        );
      }
      // Chats still assigned to this agent (a reload, another tab) come back into the sidebar.
      try {
        const mine = (await deps.api.listConversations(token, { status: 'assigned', limit: 50 })).filter((c) => c.agent?.id === agent.id);
        for (const summary of mine.reverse()) {
          addChat(emptyChat(summary.id, { status: summary.status, visitor: summary.profile, ...(summary.escalationReason === undefined ? {} : { reason: summary.escalationReason }) }));
          void joinChat(summary.id);
          void loadDetail(summary.id);
        }
      } catch (err) {
        notice(`Could not restore your open chats: ${describeFailure(err)}`);
      }
    }

    function signOutLocally(error?: string) {
      for (const off of unsubscribers) off();
      unsubscribers = [];
      client?.close();
      client = undefined;
      for (const timer of typingTimers.values()) clearTimeout(timer);
      typingTimers.clear();
      try {
        deps.sessionStorage?.removeItem(TOKEN_KEY);
      } catch {
        // Storage blocked: the token was never persisted either.
      }
      set({
        auth: error === undefined ? { status: 'signed-out' } : { status: 'signed-out', error },
        connection: 'idle',
        queue: [],
        queueMessages: {},
        offline: [],
        chats: {},
        chatOrder: [],
        activeChatId: undefined,
        history: { q: '', status: '', isLoading: false, results: [] },
        csat: { isLoading: false },
      });
    }

    return {
      auth: { status: 'signed-out' },
      connection: 'idle',
      availability: 'online',
      capacity: DEFAULT_CAPACITY,
      queue: [],
      queueMessages: {},
      offline: [],
      chats: {},
      chatOrder: [],
      route: 'queue',
      history: { q: '', status: '', isLoading: false, results: [] },
      csat: { isLoading: false },
      canned: loadCanned(deps.localStorage),
      notificationPermission: deps.notifier?.permission() ?? 'unsupported',
      agents: { isLoading: false, list: [] },

      async restoreSession() {
        let token: string | null | undefined;
        try {
          token = deps.sessionStorage?.getItem(TOKEN_KEY);
        } catch {
          // Storage blocked: sign in again.
          token = undefined;
        }
        if (token === null || token === undefined) return;
        set({ auth: { status: 'signing-in' } });
        try {
          await startSession(token, await deps.api.me(token));
        } catch (err) {
          signOutLocally(err instanceof ParleyError && err.code === 'AUTH_INVALID_TOKEN' ? 'Your session has ended. Sign in again.' : describeFailure(err));
        }
      },

      async login(email, password) {
        set({ auth: { status: 'signing-in' } });
        try {
          const result = await deps.api.login(email, password);
          try {
            deps.sessionStorage?.setItem(TOKEN_KEY, result.token);
          } catch {
            // Blocked storage: the session lasts until reload.
          }
          await startSession(result.token, result.agent);
        } catch (err) {
          const message =
            err instanceof ParleyError && err.code === 'AUTH_INVALID_TOKEN'
              ? 'Wrong e-mail or password.'
              : err instanceof ParleyError && err.code === 'RATE_LIMITED'
                ? 'Too many attempts. Wait a minute and try again.'
                : describeFailure(err);
          set({ auth: { status: 'signed-out', error: message } });
        }
      },

      async logout() {
        const token = get().auth.token;
        signOutLocally();
        if (token !== undefined) {
          // Best effort: the local session is gone either way; the server session expires on its own.
          await deps.api.logout(token).catch(() => undefined);
        }
      },

      disconnect() {
        for (const off of unsubscribers) off();
        unsubscribers = [];
        client?.close();
        client = undefined;
      },

      async setAvailability(availability) {
        set({ availability });
        if (client === undefined) return;
        try {
          await client.request({ type: 'agent.availability', availability, capacity: get().capacity });
        } catch (err) {
          notice(`Could not change availability: ${describeFailure(err)}`);
        }
      },

      async setCapacity(capacity) {
        if (!Number.isInteger(capacity) || capacity < 1 || capacity > 20) return;
        set({ capacity });
        await get().setAvailability(get().availability);
      },

      async accept(conversationId) {
        if (client === undefined || get().acceptingId !== undefined) return;
        const entry = get().queue.find((e) => e.conversationId === conversationId);
        const left = get().offline.find((c) => c.id === conversationId);
        set({ acceptingId: conversationId });
        try {
          await client.request({ type: 'conversation.accept', conversationId });
          addChat(
            emptyChat(conversationId, {
              visitor: entry?.visitor ?? left?.profile ?? {},
              transcript: entry?.transcript ?? [],
              ...(entry === undefined ? {} : { reason: entry.reason, waitingSince: entry.waitingSince }),
              ...(left?.escalationReason === undefined ? {} : { reason: left.escalationReason }),
            }),
          );
          set({ acceptingId: undefined, route: 'chats', activeChatId: conversationId, offline: get().offline.filter((c) => c.id !== conversationId) });
          notice(`Chat with ${entry?.visitor.name ?? 'the visitor'} opened.`);
          await joinChat(conversationId);
          void loadDetail(conversationId);
        } catch (err) {
          set({ acceptingId: undefined });
          notice(err instanceof ParleyError && err.code === 'AUTH_FORBIDDEN' ? 'Another agent already took this conversation.' : `Could not accept: ${describeFailure(err)}`);
        }
      },

      async loadOffline() {
        const token = get().auth.token;
        if (token === undefined) return;
        try {
          const offline = await deps.api.listConversations(token, { status: 'offline', limit: 50 });
          set({ offline });
          for (const c of offline) {
            if (queueMessagesRequested.has(c.id)) continue;
            queueMessagesRequested.add(c.id);
            void loadQueueMessages(c.id);
          }
        } catch (err) {
          notice(`Could not load the messages left while nobody was online: ${describeFailure(err)}`);
        }
      },

      openChat(conversationId) {
        if (get().chats[conversationId] === undefined) return;
        set({ activeChatId: conversationId, route: 'chats' });
        get().markActiveRead();
      },

      markActiveRead() {
        const { activeChatId, chats, route } = get();
        const chat = activeChatId === undefined ? undefined : chats[activeChatId];
        if (chat === undefined || route !== 'chats' || !isPageVisible()) return;
        const last = chat.messages.at(-1);
        if (chat.unread > 0) patchChat(chat.id, { unread: 0 });
        if (last !== undefined) client?.read(chat.id, last.seq);
      },

      setDraft(conversationId, text, options) {
        patchChat(conversationId, { draft: text });
        if (client === undefined || get().chats[conversationId]?.status === 'closed') return;
        if (text.trim() === '' || options?.isNote === true) {
          stopTyping(conversationId);
          return;
        }
        const timer = typingTimers.get(conversationId);
        if (timer === undefined) client.typing(conversationId, true);
        else clearTimeout(timer);
        typingTimers.set(conversationId, setTimeout(() => stopTyping(conversationId), TYPING_IDLE_MS));
      },

      setQuickReplies(conversationId, replies) {
        patchChat(conversationId, { quickReplies: replies });
      },

      sendMessage(conversationId, text, quickReplies) {
        const body = text.trim();
        if (body === '' || client === undefined) return;
        stopTyping(conversationId);
        patchChat(conversationId, { draft: '', quickReplies: [] });
        const { acked } = quickReplies?.length ? client.send(conversationId, body, { quickReplies }) : client.send(conversationId, body);
        acked.catch((err: unknown) => notice(`A message was not delivered: ${describeFailure(err)}`));
      },

      async sendAttachment(conversationId, file) {
        const token = get().auth.token;
        if (token === undefined) return;
        try {
          const attachment = await deps.api.uploadFile(token, file);
          if (client === undefined) throw new ParleyError('TRANSPORT_NOT_CONNECTED', 'signed out');
          await client.send(conversationId, '', { attachments: [attachment] }).acked;
        } catch (err) {
          notice(`${file.name} was not sent: ${describeFailure(err)}`);
        }
      },

      async closeChat(conversationId, reason, detail) {
        if (client === undefined) return;
        const text = detail?.trim().slice(0, MAX_CLOSE_DETAIL) ?? '';
        try {
          await client.request({ type: 'conversation.close', conversationId, reason: text === '' ? reason : `${reason}: ${text}` });
          stopTyping(conversationId);
          patchChat(conversationId, { status: 'closed' });
          notice('Conversation closed.');
        } catch (err) {
          notice(`Could not close the conversation: ${describeFailure(err)}`);
        }
      },

      dismissChat(conversationId) {
        const { chats, chatOrder, activeChatId } = get();
        const { [conversationId]: _removed, ...rest } = chats;
        const order = chatOrder.filter((id) => id !== conversationId);
        set({ chats: rest, chatOrder: order, activeChatId: activeChatId === conversationId ? order[0] : activeChatId });
      },

      navigate(route) {
        set({ route });
        if (route === 'queue') void get().loadOffline();
        if (route === 'chats') get().markActiveRead();
      },

      async searchHistory({ q, status }) {
        const token = get().auth.token;
        if (token === undefined) return;
        set({ history: { ...get().history, q, status, isLoading: true, error: undefined } });
        try {
          const results = await deps.api.listConversations(token, { q, limit: HISTORY_PAGE, ...(status === '' ? {} : { status }) });
          set({ history: { ...get().history, isLoading: false, results, hasMore: results.length === HISTORY_PAGE } });
        } catch (err) {
          set({ history: { ...get().history, isLoading: false, error: describeFailure(err) } });
        }
      },

      async loadMoreHistory() {
        const token = get().auth.token;
        const { q, status, results, isLoading } = get().history;
        if (token === undefined || isLoading) return;
        set({ history: { ...get().history, isLoading: true, error: undefined } });
        try {
          const page = await deps.api.listConversations(token, { q, limit: HISTORY_PAGE, offset: results.length, ...(status === '' ? {} : { status }) });
          // A conversation that moved up meanwhile (new ones push older ones down) would come twice: keep the first.
          const known = new Set(results.map((c) => c.id));
          set({ history: { ...get().history, isLoading: false, results: [...results, ...page.filter((c) => !known.has(c.id))], hasMore: page.length === HISTORY_PAGE } });
        } catch (err) {
          set({ history: { ...get().history, isLoading: false, error: describeFailure(err) } });
        }
      },

      async openHistory(conversationId) {
        const token = get().auth.token;
        if (conversationId === undefined || token === undefined) {
          set({ history: { ...get().history, selected: undefined } });
          return;
        }
        try {
          const selected = await deps.api.getConversation(token, conversationId);
          set({ history: { ...get().history, selected } });
        } catch (err) {
          set({ history: { ...get().history, error: describeFailure(err) } });
        }
      },

      async loadCsat() {
        const token = get().auth.token;
        if (token === undefined) return;
        set({ csat: { ...get().csat, isLoading: true, error: undefined } });
        try {
          set({ csat: { isLoading: false, stats: await deps.api.csat(token) } });
        } catch (err) {
          set({ csat: { isLoading: false, error: describeFailure(err) } });
        }
      },

      setCanned(list) {
        set({ canned: list });
        if (!saveCanned(deps.localStorage, list)) notice('Canned responses could not be saved in this browser; they last until reload.');
      },

      async enableNotifications() {
        const permission = (await deps.notifier?.requestPermission()) ?? 'unsupported';
        set({ notificationPermission: permission });
      },

      async addNote(conversationId, text) {
        const body = text.trim();
        if (body === '' || client === undefined) return;
        patchChat(conversationId, { draft: '' });
        stopTyping(conversationId);
        try {
          const reply = await client.request({ type: 'note.add', conversationId, clientId: newClientId(), text: body });
          mergeNotes(conversationId, [reply.note]);
        } catch (err) {
          // Give the text back so nothing typed is lost.
          patchChat(conversationId, (chat) => (chat.draft === '' ? { draft: body } : {}));
          notice(`The note was not saved: ${describeFailure(err)}`);
        }
      },

      async loadAgents() {
        const token = get().auth.token;
        if (token === undefined) return;
        // A refresh keeps the list on screen; only a first load says "Loading".
        set({ agents: { ...get().agents, isLoading: get().agents.list.length === 0, error: undefined } });
        try {
          set({ agents: { isLoading: false, list: await deps.api.listAgents(token) } });
        } catch (err) {
          set({ agents: { isLoading: false, list: [], error: describeFailure(err) } });
        }
      },

      async transferChat(conversationId, toAgentId) {
        if (client === undefined) return;
        const target = toAgentId === undefined ? undefined : get().agents.list.find((a) => a.id === toAgentId);
        try {
          await client.request(toAgentId === undefined ? { type: 'conversation.transfer', conversationId } : { type: 'conversation.transfer', conversationId, toAgentId });
          stopTyping(conversationId);
          get().dismissChat(conversationId);
          notice(toAgentId === undefined ? 'Conversation sent back to the queue.' : `Conversation handed to ${target?.name ?? 'your colleague'}.`);
        } catch (err) {
          // The server says why (not online, no free capacity, no longer yours); the list may have changed meanwhile.
          notice(`Could not transfer: ${describeFailure(err)}`);
          void get().loadAgents();
        }
      },
    };
  });

  // The title badge follows what waits for the agent: the queue plus unread messages.
  store.subscribe((state, previous) => {
    if (state.queue === previous.queue && state.chats === previous.chats) return;
    const unread = Object.values(state.chats).reduce((n, c) => n + c.unread, 0);
    deps.notifier?.setBadge(state.queue.length + unread);
  });
  return store;
}
