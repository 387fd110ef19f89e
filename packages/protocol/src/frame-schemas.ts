// Field schemas of every frame type, one table per direction. The compiler checks both tables are complete.

import type { ClientFrameType, ServerFrameType } from './frames.js';
import { arr, bool, int, labels, num, obj, oneOf, opt, str, type Schema } from './schema.js';

type Fields = Readonly<Record<string, Schema>>;

const id = str('maxIdLength', 1);
const seq = int(0);
const time = int(0);
const role = oneOf('visitor', 'agent');
const reason = oneOf('requested', 'low_confidence', 'out_of_scope', 'asked_for_human', 'repeated_miss', 'negative_feedback');

const author = obj({
  role: oneOf('visitor', 'agent', 'bot', 'system'),
  id,
  name: opt(str()),
  avatarUrl: opt(str()),
});
const attachment = obj({ name: str('maxLabelLength', 1), mime: str('maxLabelLength', 1), size: int(0), url: str('maxLabelLength', 1) });
const attachments = opt(arr(attachment, 'maxAttachments'));
// Each becomes a button keyed by its text: blank or repeated ones would show empty or collide.
const quickReplies = opt(labels('maxQuickReplyLength', 'maxQuickReplies'));
const transcriptItem = obj({
  kind: oneOf('question', 'answer', 'feedback', 'escalation'),
  text: str('maxTextLength'),
  at: time,
  entryId: opt(str('maxIdLength')),
  confidence: opt(num(0, 1)),
  helpful: opt(bool()),
});
const transcript = arr(transcriptItem, 'maxTranscriptItems');
const profile = opt(
  obj({ name: opt(str()), email: opt(str()), locale: opt(str('maxIdLength')), page: opt(str()) }),
);
const agent = obj({ id, name: str(), avatarUrl: opt(str()) });
const message = obj({
  conversationId: id,
  seq: int(1),
  clientId: id,
  author,
  kind: oneOf('text', 'event'),
  text: str('maxTextLength'),
  at: time,
  attachments,
  // A string, not oneOf: a code added later must not make older clients refuse the whole message.
  event: opt(str('maxIdLength', 1)),
  quickReplies,
});

export const CLIENT_FIELDS: Readonly<Record<ClientFrameType, Fields>> = {
  hello: {
    v: int(0, 1000),
    role,
    token: opt(str('maxTokenLength')),
    siteKey: opt(str('maxIdLength')),
    resume: opt(arr(obj({ conversationId: id, afterSeq: seq }), 'maxResume')),
    identity: opt(obj({ userId: opt(str('maxLabelLength', 1)), hmac: opt(str('maxIdLength', 1)), jwt: opt(str('maxTokenLength', 1)) })),
  },
  ping: {},
  'conversation.start': { clientId: id, profile },
  'conversation.join': { conversationId: id, afterSeq: seq },
  'message.send': {
    conversationId: id,
    clientId: id,
    text: str('maxTextLength'),
    attachments,
    quickReplies,
  },
  'history.get': {
    conversationId: id,
    afterSeq: opt(seq),
    beforeSeq: opt(seq),
    limit: opt(int(1, 1000)),
  },
  typing: { conversationId: id, isTyping: bool() },
  read: { conversationId: id, upToSeq: seq },
  'conversation.escalate': { conversationId: id, reason, transcript, profile },
  'conversation.accept': { conversationId: id },
  'conversation.close': { conversationId: id, reason: opt(str()) },
  // The widest scale (nps 0–10); the server checks the score against the site's own scale. `scale` is the one the
  // shopper saw: optional so widgets from before it still rate, but a 5 on csat is also a valid ces or nps score.
  'rating.submit': { conversationId: id, score: int(0, 10), scale: opt(oneOf('csat', 'ces', 'nps')), comment: opt(str('maxTextLength')) },
  'agent.availability': { availability: oneOf('online', 'away', 'offline'), capacity: opt(int(0, 100)) },
  'visitor.page': { conversationId: id, url: str(), title: opt(str()) },
  'conversation.transfer': { conversationId: id, toAgentId: opt(id) },
  'note.add': { conversationId: id, clientId: id, text: str('maxTextLength', 1) },
  // Bounded here like any label; the server checks it is an address (at most 254 characters, RFC 5321).
  'transcript.email': { conversationId: id, email: str('maxLabelLength', 3) },
};

/** Server frames only agents receive. */
type AgentOnlyServerFrameType = 'queue.snapshot' | 'note.new';

/** A table of server frames a client accepts: any other type decodes as PROTOCOL_UNKNOWN_TYPE. */
export type ServerFieldTable = Readonly<{ [T in ServerFrameType]?: Fields }>;

/** Every server frame a visitor can receive: what the widget validates against (no agent-only schemas in it). */
export const VISITOR_SERVER_FIELDS: Readonly<Record<Exclude<ServerFrameType, AgentOnlyServerFrameType>, Fields>> = {
  welcome: {
    ref: id,
    v: int(0, 1000),
    role,
    subjectId: id,
    token: opt(str('maxTokenLength')),
    tokenExpiresAt: opt(time),
    heartbeatMs: int(1000, 600_000),
  },
  pong: { ref: id },
  'conversation.joined': {
    ref: opt(id),
    conversation: obj({
      id,
      status: oneOf('bot', 'queued', 'assigned', 'closed', 'offline'),
      lastSeq: seq,
      createdAt: time,
      visitorId: id,
      agent: opt(agent),
      escalationReason: opt(reason),
    }),
  },
  'message.ack': { ref: id, conversationId: id, clientId: id, seq: int(1), at: time, duplicate: opt(bool()) },
  'message.new': { message },
  'history.page': { ref: id, conversationId: id, messages: arr(message, 'maxHistoryPage'), hasMore: bool() },
  'typing.update': { conversationId: id, author, isTyping: bool() },
  'read.update': { conversationId: id, role, upToSeq: seq },
  'presence.update': { conversationId: id, role, isOnline: bool() },
  'conversation.escalated': { ref: opt(id), conversationId: id, reason, status: oneOf('queued', 'offline') },
  'queue.update': { conversationId: id, position: int(0), etaSeconds: int(0) },
  'conversation.assigned': { ref: opt(id), conversationId: id, agent },
  'agent.joined': { conversationId: id, agent },
  'agent.left': { conversationId: id, agent },
  'conversation.closed': { ref: opt(id), conversationId: id, by: role, reason: opt(str()) },
  'rating.created': { ref: opt(id), conversationId: id, score: int(0, 10), comment: opt(str('maxTextLength')), scale: opt(oneOf('csat', 'ces', 'nps')) },
  ok: { ref: id },
  'token.rotated': { token: str('maxTokenLength', 1), expiresAt: time },
  error: {
    ref: opt(id),
    code: str('maxIdLength', 1),
    message: str(),
    retryable: opt(bool()),
    conversationId: opt(id),
  },
};

/** Every server frame: the visitor's plus the agent-only ones. */
export const SERVER_FIELDS: Readonly<Record<ServerFrameType, Fields>> = {
  ...VISITOR_SERVER_FIELDS,
  'note.new': { ref: opt(id), note: obj({ conversationId: id, clientId: id, author, text: str('maxTextLength'), at: time }) },
  'queue.snapshot': {
    entries: arr(
      obj({
        conversationId: id,
        position: int(0),
        etaSeconds: int(0),
        waitingSince: time,
        reason,
        visitor: obj({ name: opt(str()), email: opt(str()), locale: opt(str('maxIdLength')), page: opt(str()), verifiedUserId: opt(str('maxIdLength')) }),
        transcript,
      }),
      'maxHistoryPage',
    ),
  },
};
