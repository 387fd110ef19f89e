// Codes of the event messages the server writes (joined, left, requeued, transferred, closed). The code rides in
// the clientId the server picks for its own events (`evt_<code>_<uuid>`), so both storages keep it without a new
// column or a migration; rows written before codes existed (`evt_<uuid>`) simply have none.
import { randomUUID } from 'node:crypto';
import type { Message, MessageEventCode } from '@parley/protocol';

const CODES: ReadonlySet<string> = new Set<MessageEventCode>(['joined', 'left', 'requeued', 'transferred', 'closed']);

export function eventClientId(code: MessageEventCode): string {
  return `evt_${code}_${randomUUID()}`;
}

/** The code of a stored message; only `event` messages have one (people's messages are `text`, whatever their clientId). */
export function eventCodeOf(kind: string, clientId: string): MessageEventCode | undefined {
  if (kind !== 'event') return undefined;
  const code = /^evt_([a-z]+)_/.exec(clientId)?.[1];
  return code !== undefined && CODES.has(code) ? (code as MessageEventCode) : undefined;
}

/** Sets `message.event` from its stored kind and clientId. */
export function withEventCode(message: Message): Message {
  const code = eventCodeOf(message.kind, message.clientId);
  if (code !== undefined) message.event = code;
  return message;
}
