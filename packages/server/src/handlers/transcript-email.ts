// `transcript.email` (visitor): a closed conversation's transcript, as plain text, to an address the visitor gives.
// Refused without mail set up, for a bad address, before the close, and past the budgets (client address, visitor,
// conversation, recipient: a visitor can close their own chat, so a fresh one per mail costs nothing); the mail server's failure is reported as retryable.

import { ParleyError, type Message, type TranscriptEmailFrame } from '@parley/protocol';
import { isEmailAddress } from '../mail/email-address.js';
import { transcriptSubject, transcriptText } from '../mail/transcript-text.js';
import { loadConversation, requireRole } from './access.js';
import type { HandlerContext } from './context.js';

/** A transcript longer than this is cut (with a line saying so): the mail stays a sane size. */
const MAX_MESSAGES = 2000;
const PAGE = 500;

export async function handleTranscriptEmail(ctx: HandlerContext, frame: TranscriptEmailFrame): Promise<void> {
  const session = requireRole(ctx, 'visitor');
  const { mail } = ctx.services;
  if (mail === undefined) throw new ParleyError('EMAIL_UNAVAILABLE', 'this server does not send e-mail');
  const conversation = await loadConversation(ctx, frame.conversationId);
  const to = frame.email.trim();
  if (!isEmailAddress(to)) throw new ParleyError('EMAIL_INVALID', 'that is not an e-mail address we can send to');
  if (conversation.status !== 'closed') throw new ParleyError('CONVERSATION_NOT_CLOSED', 'the transcript can be sent once the chat is closed');
  if (!(await mail.take({ visitorId: session.subjectId, conversationId: conversation.id, to, address: ctx.address }))) {
    throw new ParleyError('RATE_LIMITED', 'too many transcript e-mails; try again later', { retryable: true });
  }
  const messages: Message[] = [];
  let afterSeq = 0;
  for (;;) {
    const page = await ctx.services.storage.listMessages({ conversationId: conversation.id, afterSeq, limit: PAGE });
    messages.push(...page.messages);
    const last = page.messages.at(-1);
    if (!page.hasMore || last === undefined || messages.length >= MAX_MESSAGES) break;
    afterSeq = last.seq;
  }
  const site = await ctx.services.storage.getSite(conversation.siteId);
  const siteName = site?.key ?? 'our shop';
  let text = transcriptText(messages.slice(0, MAX_MESSAGES), { siteName, startedAt: conversation.createdAt });
  if (messages.length > MAX_MESSAGES) text += `\n(The first ${MAX_MESSAGES} messages only.)\n`;
  try {
    await mail.mailer.send({ to, subject: transcriptSubject(siteName), text });
  } catch (err) {
    // Only codes: a mail server's message may quote the recipient's address.
    const cause = (err as { cause?: { code?: unknown; responseCode?: unknown } }).cause;
    ctx.services.logger.warn('transcript_email.failed', { conversationId: conversation.id, smtpCode: cause?.code, smtpResponse: cause?.responseCode });
    throw err instanceof ParleyError ? err : new ParleyError('EMAIL_SEND_FAILED', 'the e-mail could not be sent', { retryable: true });
  }
  // No address in the log: it is personal data, and the conversation id is enough to trace it.
  ctx.services.logger.info('transcript_email.sent', { conversationId: conversation.id, messages: messages.length });
  ctx.reply({ type: 'ok', ref: frame.ref });
}
