// Frame type → handler. The mapped type makes a missing handler a compile error.

import { ParleyError, type ClientFrame, type ClientFrameType } from '@parley/protocol';
import { isIdentityStale } from '../identity.js';
import { handleAgentAvailability } from './agent-availability.js';
import type { Handler, HandlerContext } from './context.js';
import { handleConversationAccept } from './conversation-accept.js';
import { handleConversationClose } from './conversation-close.js';
import { handleConversationEscalate } from './conversation-escalate.js';
import { handleConversationJoin } from './conversation-join.js';
import { handleConversationStart } from './conversation-start.js';
import { handleConversationTransfer } from './conversation-transfer.js';
import { handleHello } from './hello.js';
import { handleHistoryGet } from './history-get.js';
import { handleMessageSend } from './message-send.js';
import { handleNoteAdd } from './note-add.js';
import { handlePing } from './ping.js';
import { handleRatingSubmit } from './rating-submit.js';
import { handleRead } from './read.js';
import { handleTyping } from './typing.js';
import { handleTranscriptEmail } from './transcript-email.js';
import { handleVisitorPage } from './visitor-page.js';

const HANDLERS: { [K in ClientFrameType]: Handler<Extract<ClientFrame, { type: K }>> } = {
  hello: handleHello,
  ping: handlePing,
  'conversation.start': handleConversationStart,
  'conversation.join': handleConversationJoin,
  'message.send': handleMessageSend,
  'history.get': handleHistoryGet,
  typing: handleTyping,
  read: handleRead,
  'visitor.page': handleVisitorPage,
  'conversation.escalate': handleConversationEscalate,
  'conversation.accept': handleConversationAccept,
  'conversation.close': handleConversationClose,
  'rating.submit': handleRatingSubmit,
  'agent.availability': handleAgentAvailability,
  'conversation.transfer': handleConversationTransfer,
  'note.add': handleNoteAdd,
  'transcript.email': handleTranscriptEmail,
};

export function dispatch(ctx: HandlerContext, frame: ClientFrame): Promise<void> {
  const identity = ctx.session?.identity;
  // A session proven by a JWT lasts only as long as the JWT: after it, every action is refused and the socket closes,
  // so the client reconnects with a fresh identity.
  if (identity !== undefined && frame.type !== 'ping' && isIdentityStale(identity, ctx.services.now())) {
    return Promise.reject(new ParleyError('AUTH_IDENTITY_INVALID', 'the identity token has expired; reconnect with a fresh one', {
      details: { reason: 'expired' },
      // The same frame succeeds once the client has reconnected with a fresh identity: clients keep it queued.
      retryable: true,
    }));
  }
  return (HANDLERS[frame.type] as Handler)(ctx, frame);
}
