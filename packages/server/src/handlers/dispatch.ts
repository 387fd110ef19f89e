// Frame type → handler. The mapped type makes a missing handler a compile error.

import type { ClientFrame, ClientFrameType } from '@parley/protocol';
import { handleAgentAvailability } from './agent-availability.js';
import type { Handler, HandlerContext } from './context.js';
import { handleConversationAccept } from './conversation-accept.js';
import { handleConversationClose } from './conversation-close.js';
import { handleConversationEscalate } from './conversation-escalate.js';
import { handleConversationJoin } from './conversation-join.js';
import { handleConversationStart } from './conversation-start.js';
import { handleHello } from './hello.js';
import { handleHistoryGet } from './history-get.js';
import { handleMessageSend } from './message-send.js';
import { handlePing } from './ping.js';
import { handleRatingSubmit } from './rating-submit.js';
import { handleRead } from './read.js';
import { handleTyping } from './typing.js';
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
};

export function dispatch(ctx: HandlerContext, frame: ClientFrame): Promise<void> {
  return (HANDLERS[frame.type] as Handler)(ctx, frame);
}
