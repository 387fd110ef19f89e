// Conversation slice: hand-off, live chat, queue, agent, receipts, rating. The only code that calls transport.
import type { Attachment, EscalationReason, Message, ServerFrame, VisitorProfile } from '@parley/protocol';
import type { ChatClient } from './chat-client.js';
import type { SliceContext } from './widget-store.js';
import type { ConversationState, ConversationStatus, TimelineItem } from './types.js';

export interface ConversationActions {
  /** Hand off to a person. Shows the pre-chat form first when configured and not yet filled. */
  escalate(reason?: EscalationReason): Promise<void>;
  submitPreChat(profile: VisitorProfile): Promise<void>;
  /** Live chat message (queued or assigned). */
  send(text: string): Promise<void>;
  retry(itemId: string): Promise<void>;
  /** Uploads a file and sends it as a message (only with a person: queued or assigned). */
  sendFile(file: File): void;
  /** Call on every keystroke; sends `typing` at most every few seconds and `false` when idle. */
  typing(): void;
  markRead(): void;
  rate(score: number, comment?: string): Promise<void>;
  /** After the close: the transcript to this address (only when the server can e-mail). */
  emailTranscript(email: string): Promise<void>;
  /** "Leave a message" while nobody is online. */
  leaveMessage(email: string, text: string): Promise<void>;
  /** After a close: back to self-service with a fresh conversation. */
  restart(): void;
  /** Rejoin a conversation remembered from an earlier page. */
  resume(conversationId: string): void;
  identify(profile: VisitorProfile): void;
  /** SPA navigation: tell the agent which page the shopper is on (only while a person is involved). */
  trackPage(url: string, title?: string): void;
  addItems(items: TimelineItem[]): void;
  updateItem(id: string, patch: Partial<TimelineItem>): void;
  /** Close the socket (destroy/shutdown). */
  disconnect(): void;
}

const TYPING_IDLE_MS = 3000;
// An agent typing indicator that never got its `false` (lost frame, closed tab) disappears by itself.
const AGENT_TYPING_TTL_MS = 8000;
const HISTORY_PAGE = 50;

export function conversationSlice(ctx: SliceContext): { conversation: ConversationState } & ConversationActions {
  const { get, patch, deps } = ctx;
  let client: ChatClient | null = null;
  let unsubscribe: Array<() => void> = [];
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  let agentTypingTimer: ReturnType<typeof setTimeout> | undefined;
  let wasOnline = false;
  let historyFor: string | undefined;
  // Files whose upload has not succeeded yet, by the message's clientId: Retry uploads them again.
  const unsentFiles = new Map<string, File>();

  const conv = (): ConversationState => get().conversation;
  const setConv = (value: Partial<ConversationState>): void => patch('conversation', value);
  const report = (code: string, cause: unknown): void =>
    deps.emit('error', { code: readCode(cause) ?? code, message: cause instanceof Error ? cause.message : String(cause) });
  const event = (key: string, vars?: Record<string, string>): void => get().addItems([{ kind: 'event', id: deps.uuid(), key, vars }]);

  // Whether `name`'s join is on screen since they last left: the frame and the stored event both say it, once per
  // join; the same agent joining again after a requeue is a new join.
  const hasJoined = (name?: string): boolean => {
    for (const i of [...conv().items].reverse()) {
      if (i.kind !== 'event') continue;
      if ((i.key === 'agent.left' && i.vars?.name === name) || i.key === 'agent.gone') return false;
      if (i.key === 'agent.joined' && i.vars?.name === name) return true;
    }
    return false;
  };
  const hasLine = (key: string): boolean => conv().items.some((i) => i.kind === 'event' && i.key === key);

  let connecting: Promise<ChatClient> | undefined;
  function connect(): Promise<ChatClient> {
    connecting ??= deps.client().then((c) => {
      client = c;
      unsubscribe = [
        c.on('message', ({ isMine, ...message }) => onMessage(message, isMine)),
        c.on('frame', onFrame),
        c.on('state', (state) => {
          if (state === 'open') {
            wasOnline = true;
            const { notice } = get().ui;
            if (notice === 'connection.lost' || notice === 'identity.failed') get().setNotice(undefined);
          } else if (wasOnline && (state === 'waiting' || state === 'offline')) get().setNotice('connection.lost');
        }),
        c.on('error', (e) => {
          // The site requires a verified shopper and ours is missing, wrong or expired: say so. The transport keeps
          // retrying, asking for the identity each time, so one given later through identify() still gets in.
          if (isIdentityError(e)) get().setNotice('identity.failed');
          report('WIDGET_TRANSPORT_ERROR', e);
        }),
      ];
      return c;
    });
    // A failed chunk load is retried by the next action that needs the server.
    connecting.catch(() => (connecting = undefined));
    return connecting;
  }

  function onMessage(m: Message, isMine: boolean): void {
    const c = conv();
    if (m.conversationId !== c.id) return;
    if (m.seq > c.lastSeq) setConv({ lastSeq: m.seq });
    const existing = c.items.find((i) => i.kind === 'message' && (i.id === m.clientId || (i.seq !== undefined && i.seq === m.seq)));
    if (existing) {
      if (existing.kind === 'message' && existing.seq === undefined) {
        get().updateItem(existing.id, { seq: m.seq, at: m.at, state: existing.state === 'read' ? 'read' : 'delivered' });
      }
      return;
    }
    // The server records joins, departures and the close as event messages with a code and English text: the code
    // picks our own localised line. Live, the `agent.joined` and `conversation.closed` frames may have put that line
    // on screen already; after a reload the event is the only trace. Without a known code: the text as written.
    const key = m.kind === 'event' ? eventKey(m) : undefined;
    const name = m.author.name ?? '';
    if ((key === 'agent.joined' && hasJoined(name)) || (key === 'closed.notice' && hasLine(key))) return;
    const item: TimelineItem = key
      ? { kind: 'event', id: m.clientId, key, vars: { name } }
      : m.kind === 'event'
        ? { kind: 'event', id: m.clientId, text: m.text }
        : {
            kind: 'message',
            id: m.clientId,
            seq: m.seq,
            role: isMine ? 'visitor' : m.author.role,
            name: m.author.name,
            avatarUrl: m.author.avatarUrl,
            text: m.text,
            at: m.at,
            state: isMine ? 'delivered' : undefined,
            ...(m.attachments?.length ? { attachments: m.attachments } : {}),
            ...(m.quickReplies?.length && !isMine ? { quickReplies: m.quickReplies } : {}),
          };
    // Seq order, not arrival order: after a reload, resumed live messages can arrive before the history page.
    const items = conv().items;
    const later = items.findIndex((i) => i.kind === 'message' && i.seq !== undefined && i.seq > m.seq);
    if (later === -1) get().addItems([item]);
    else setConv({ items: [...items.slice(0, later), item, ...items.slice(later)] });
    deps.emit('message', { message: m, isMine });
    if (!isMine) {
      if (m.author.role === 'agent') setConv({ agentTyping: undefined });
      if (get().ui.isOpen && !deps.isHidden()) get().markRead();
      // History fetched after a reload comes through here too: only what was never seen counts as unread, and only
      // what someone wrote (not "joined" or "closed" lines).
      else if (m.kind === 'text' && m.seq > conv().sentReadSeq) get().setUnread(get().ui.unread + 1);
    }
  }

  function onEscalated(conversationId: string, reason: EscalationReason, status: 'queued' | 'offline'): void {
    const c = conv();
    if (conversationId !== c.id || c.status === status || c.status === 'assigned' || c.status === 'closed') return;
    setConv({ status, reason });
    if (status === 'offline') get().setView('offline');
    deps.emit('escalated', { conversationId, reason, status });
  }

  function onFrame(f: ServerFrame): void {
    const c = conv();
    if (!('conversationId' in f) || f.conversationId !== c.id) {
      if (f.type === 'conversation.joined' && f.conversation.id === c.id) onJoined(f.conversation.status, f.conversation.lastSeq, f.conversation.agent);
      return;
    }
    switch (f.type) {
      case 'conversation.escalated':
        return onEscalated(f.conversationId, f.reason, f.status);
      case 'queue.update':
        if (c.status === 'connecting' || c.status === 'queued') setConv({ status: 'queued', queue: { position: f.position, etaSeconds: f.etaSeconds } });
        return;
      case 'conversation.assigned':
      case 'agent.joined':
        if (c.agent?.id === f.agent.id && c.status === 'assigned') return;
        setConv({ status: 'assigned', agent: f.agent, queue: undefined });
        // A shopper who left a message while nobody was online gets the chat back when an agent takes it.
        if (get().ui.view === 'offline') get().setView('chat');
        if (!hasJoined(f.agent.name)) event('agent.joined', { name: f.agent.name });
        deps.emit('assigned', { conversationId: f.conversationId, agent: f.agent });
        return;
      case 'agent.left':
        // The line comes with the server's event message (left, requeued or transferred, which names who). Gone past the grace period or handed on: back in the queue until someone joins (a transfer to another
        // agent sends their agent.joined right after), so the queue position shows again and the header drops them.
        if (c.status === 'assigned' && c.agent?.id === f.agent.id) setConv({ status: 'queued', agent: undefined, queue: undefined, agentTyping: undefined });
        return;
      case 'typing.update':
        if (f.author.role === 'visitor') return;
        clearTimeout(agentTypingTimer);
        setConv({ agentTyping: f.isTyping ? (f.author.name ?? '') : undefined });
        if (f.isTyping) agentTypingTimer = setTimeout(() => setConv({ agentTyping: undefined }), AGENT_TYPING_TTL_MS);
        return;
      case 'read.update':
        if (f.role !== 'agent' || f.upToSeq <= c.readSeq) return;
        setConv({
          readSeq: f.upToSeq,
          items: c.items.map((i) =>
            i.kind === 'message' && i.role === 'visitor' && i.seq !== undefined && i.seq <= f.upToSeq ? { ...i, state: 'read' } : i,
          ),
        });
        return;
      case 'conversation.closed':
        if (c.status === 'closed') return;
        setConv({ status: 'closed', agentTyping: undefined, queue: undefined });
        if (!hasLine('closed.notice')) event('closed.notice');
        deps.setActive(null);
        if (c.rating === 'idle') get().setView('rating');
        deps.emit('closed', { conversationId: f.conversationId, by: f.by });
        return;
      case 'rating.created':
        setConv({ rating: 'sent' });
        return;
      default:
        return;
    }
  }

  function onJoined(status: string, lastSeq: number, agent: ConversationState['agent']): void {
    const c = conv();
    const next: ConversationStatus = status === 'assigned' || status === 'queued' || status === 'closed' || status === 'offline' ? status : 'bot';
    setConv({ status: next, agent: agent ?? c.agent });
    if (next === 'offline' && c.offline === 'idle') get().setView('offline');
    // After a reload the timeline is empty: fetch the latest page so the shopper sees the conversation so far.
    if (lastSeq > 0 && historyFor !== c.id && !c.items.some((i) => i.kind === 'message')) {
      historyFor = c.id;
      void connect()
        .then((cl) => cl.request({ type: 'history.get', conversationId: c.id!, beforeSeq: lastSeq + 1, limit: HISTORY_PAGE }))
        .then((page) => {
          for (const m of page.messages) onMessage(m, m.author.role === 'visitor');
        })
        .catch((e: unknown) => report('WIDGET_HISTORY_FAILED', e));
    }
  }

  async function startAndEscalate(reason: EscalationReason): Promise<void> {
    const { profile } = conv();
    setConv({ status: 'connecting', reason });
    get().setNotice(undefined);
    try {
      const c = await connect();
      let id = conv().id;
      if (!id) {
        const startId = conv().startId ?? deps.uuid();
        setConv({ startId });
        const info = await c.startConversation({ clientId: startId, profile });
        id = info.id;
        setConv({ id, lastSeq: Math.max(conv().lastSeq, 0) });
        deps.setActive(id);
      }
      const reply = await c.request({
        type: 'conversation.escalate',
        conversationId: id,
        reason,
        transcript: get().faq.transcript,
        ...(Object.keys(profile).length ? { profile } : {}),
      });
      onEscalated(reply.conversationId, reply.reason, reply.status);
    } catch (cause) {
      setConv({ status: 'bot' });
      // The refused identity, not the dropped request it caused, is what the shopper can act on.
      get().setNotice(isIdentityError(cause) || get().ui.notice === 'identity.failed' ? 'identity.failed' : 'escalate.failed');
      report('WIDGET_ESCALATE_FAILED', cause);
    }
  }

  function sendItem(text: string, attachments?: Attachment[], file?: File): void {
    const id = conv().id;
    if (!id) return;
    // Our own clientId, so the bubble shows at once, before the transport chunk has loaded.
    const clientId = deps.uuid();
    get().addItems([{ kind: 'message', id: clientId, role: 'visitor', text, at: deps.now(), state: 'sending', ...(attachments ? { attachments } : {}) }]);
    if (file) unsentFiles.set(clientId, file);
    connect()
      .then(async (cl) => {
        if (!file) return cl.send(id, text, { clientId, ...(attachments ? { attachments } : {}) }).acked;
        // The chip shows at once; the upload fills in the URL (and the thumbnail) before the message goes.
        const uploaded = await deps.upload!(file, cl.token);
        unsentFiles.delete(clientId);
        get().updateItem(clientId, { attachments: [uploaded] });
        return cl.send(id, text, { clientId, attachments: [uploaded] }).acked;
      })
      .then(
      ({ seq }) => {
        const item = conv().items.find((i) => i.id === clientId);
        if (item?.kind === 'message' && item.state === 'sending') get().updateItem(clientId, { state: 'delivered', seq });
      },
      (cause: unknown) => {
        get().updateItem(clientId, { state: 'failed' });
        report('WIDGET_SEND_FAILED', cause);
      },
    );
  }

  function stopTyping(): void {
    if (typingTimer === undefined) return;
    clearTimeout(typingTimer);
    typingTimer = undefined;
    const id = conv().id;
    if (id && client) client.typing(id, false);
  }

  const missingPreChat = (): boolean => get().ui.preChat.some((f) => !conv().profile[f]);

  return {
    conversation: {
      status: 'bot',
      items: deps.greeting ? [{ kind: 'greeting', id: 'greeting', text: deps.greeting }] : [],
      lastSeq: 0,
      readSeq: 0,
      sentReadSeq: 0,
      profile: { locale: deps.locale },
      rating: 'idle',
      offline: 'idle',
      transcriptEmail: 'idle',
    },

    async escalate(reason = 'requested') {
      const c = conv();
      if (c.status !== 'bot') return;
      // The FAQ's history has no `requested`; a pressed button is the shopper asking for a human.
      get().note({ kind: 'escalate', reason: reason === 'requested' ? 'asked_for_human' : reason }, { kind: 'escalation', text: reason });
      if (missingPreChat()) {
        setConv({ pendingReason: reason });
        get().setView('prechat');
        return;
      }
      await startAndEscalate(reason);
    },

    async submitPreChat(profile) {
      setConv({ profile: { ...conv().profile, ...profile } });
      get().setView('chat');
      await startAndEscalate(conv().pendingReason ?? 'requested');
    },

    async send(raw) {
      const text = raw.trim();
      if (!text) return;
      stopTyping();
      sendItem(text);
    },

    async retry(itemId) {
      const item = conv().items.find((i) => i.id === itemId);
      if (item?.kind !== 'message' || item.state !== 'failed') return;
      setConv({ items: conv().items.filter((i) => i.id !== itemId) });
      const file = unsentFiles.get(itemId);
      unsentFiles.delete(itemId);
      sendItem(item.text, item.attachments, file);
    },

    sendFile(file) {
      const { status } = conv();
      if (!deps.upload || (status !== 'queued' && status !== 'assigned')) return;
      sendItem('', [{ name: file.name, mime: file.type, size: file.size, url: '' }], file);
    },

    typing() {
      const { id, status } = conv();
      if (!id || (status !== 'queued' && status !== 'assigned')) return;
      if (!client) return;
      if (typingTimer === undefined) client.typing(id, true);
      clearTimeout(typingTimer);
      typingTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
    },

    markRead() {
      const c = conv();
      if (c.id && client && c.lastSeq > c.sentReadSeq) {
        client.read(c.id, c.lastSeq);
        setConv({ sentReadSeq: c.lastSeq });
        deps.readMark?.save(c.id, c.lastSeq);
      }
      get().setUnread(0);
    },

    async rate(score, comment) {
      const c = conv();
      if (!c.id || c.rating !== 'idle') return;
      setConv({ rating: 'sending' });
      try {
        const trimmed = comment?.trim();
        // The scale shown, so the server can refuse it when the site rates on another (a 5 fits csat, ces and nps).
        const scale = get().ui.ratingScale;
        const reply = await (await connect()).request({ type: 'rating.submit', conversationId: c.id, score, scale, ...(trimmed ? { comment: trimmed } : {}) });
        // A slow reply after "Start a new conversation": it is that old chat's rating, not the new one's.
        if (conv().id === c.id) setConv({ rating: 'sent' });
        deps.emit('rated', { conversationId: c.id, score, scale: reply.scale ?? get().ui.ratingScale, ...(trimmed ? { comment: trimmed } : {}) });
      } catch (cause) {
        if (conv().id !== c.id) return report('WIDGET_RATING_FAILED', cause);
        setConv({ rating: 'idle' });
        if (readCode(cause) === 'RATING_OUT_OF_SCALE') {
          // This screen's scale was stale (config fetch failed, or the site switched): ask on the site's one.
          const scale = await deps.siteRatingScale?.().catch(() => undefined);
          if (scale && scale !== get().ui.ratingScale) {
            get().configure({ ratingScale: scale });
            get().setNotice('rating.rescaled');
            return;
          }
        }
        get().setNotice('error.generic');
        report('WIDGET_RATING_FAILED', cause);
      }
    },

    async emailTranscript(email) {
      const c = conv();
      if (!c.id || c.status !== 'closed' || c.transcriptEmail === 'sending') return;
      setConv({ transcriptEmail: 'sending' });
      try {
        await (await connect()).request({ type: 'transcript.email', conversationId: c.id, email: email.trim() });
        // A slow reply after "Start a new conversation" belongs to the old chat: the new one has sent nothing.
        if (conv().id === c.id) setConv({ transcriptEmail: 'sent' });
      } catch (cause) {
        if (conv().id !== c.id) return report('WIDGET_TRANSCRIPT_FAILED', cause);
        setConv({ transcriptEmail: 'idle' });
        const code = readCode(cause);
        get().setNotice(code === 'EMAIL_INVALID' ? 'form.email' : code === 'RATE_LIMITED' ? 'transcript.limited' : 'error.generic');
        report('WIDGET_TRANSCRIPT_FAILED', cause);
      }
    },

    async leaveMessage(email, text) {
      const c = conv();
      if (!c.id) return;
      setConv({ offline: 'sending', profile: { ...c.profile, email } });
      // TODO(#5): the protocol has no profile-update frame; until it does, the reply address travels in the text.
      try {
        await (await connect()).send(c.id, `${text.trim()}\n\n— ${email}`).acked;
        setConv({ offline: 'sent' });
      } catch (cause) {
        setConv({ offline: 'idle' });
        get().setNotice('error.generic');
        report('WIDGET_SEND_FAILED', cause);
      }
    },

    restart() {
      deps.setActive(null);
      patch('faq', { history: [], transcript: [] });
      setConv({
        id: undefined,
        startId: undefined,
        status: 'bot',
        reason: undefined,
        queue: undefined,
        agent: undefined,
        agentTyping: undefined,
        items: deps.greeting ? [{ kind: 'greeting', id: deps.uuid(), text: deps.greeting }] : [],
        lastSeq: 0,
        readSeq: 0,
        sentReadSeq: 0,
        rating: 'idle',
        offline: 'idle',
        transcriptEmail: 'idle',
      });
      get().setView('chat');
    },

    resume(conversationId) {
      setConv({ id: conversationId, status: 'connecting', sentReadSeq: deps.readMark?.load(conversationId) ?? 0 });
      connect()
        .then((cl) => cl.join(conversationId))
        .then((info) => onJoined(info.status, info.lastSeq, info.agent))
        .catch((cause: unknown) => {
          // The conversation is gone or not ours any more: start over rather than show a dead chat.
          get().restart();
          report('WIDGET_RESUME_FAILED', cause);
        });
    },

    trackPage(url, title) {
      const { id, status } = conv();
      setConv({ profile: { ...conv().profile, page: url } });
      if (!id || !client || (status !== 'queued' && status !== 'assigned')) return;
      client
        .request({ type: 'visitor.page', conversationId: id, url: url.slice(0, 2000), ...(title ? { title: title.slice(0, 200) } : {}) })
        .catch((e: unknown) => report('WIDGET_PAGE_FAILED', e));
    },

    identify(profile) {
      setConv({ profile: { ...conv().profile, ...profile } });
    },

    addItems(items) {
      setConv({ items: [...conv().items, ...items] });
    },

    updateItem(id, value) {
      setConv({ items: conv().items.map((i) => (i.id === id ? ({ ...i, ...value } as TimelineItem) : i)) });
    },

    disconnect() {
      clearTimeout(typingTimer);
      clearTimeout(agentTypingTimer);
      for (const off of unsubscribe) off();
      unsubscribe = [];
      client?.close();
      client = null;
      connecting = undefined;
    },
  };
}

/**
 * Our line for a server event: `left` is written by the system (the agent's connection is gone) and names nobody;
 * `requeued` and `transferred` are by the agent who let go.
 */
function eventKey(m: Message): string | undefined {
  switch (m.event) {
    case 'joined':
      return 'agent.joined';
    case 'requeued':
    case 'transferred':
      return 'agent.left';
    case 'left':
      return 'agent.gone';
    case 'closed':
      return 'closed.notice';
    default:
      return undefined;
  }
}

/** The site requires a verified shopper and ours is missing, wrong or expired (close 4004). */
const isIdentityError = (cause: unknown): boolean => !!readCode(cause)?.startsWith('AUTH_IDENTITY_');

function readCode(cause: unknown): string | undefined {
  const code = (cause as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
