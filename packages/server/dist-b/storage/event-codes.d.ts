import type { Message, MessageEventCode } from '@parley/protocol';
export declare function eventClientId(code: MessageEventCode): string;
/** The code of a stored message; only `event` messages have one (people's messages are `text`, whatever their clientId). */
export declare function eventCodeOf(kind: string, clientId: string): MessageEventCode | undefined;
/** Sets `message.event` from its stored kind and clientId. */
export declare function withEventCode(message: Message): Message;
