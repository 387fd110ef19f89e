// The slice of @parley/transport's client the store uses: a Pick, so unit tests can pass a small fake.
import type { ParleyClient } from '@parley/transport';

/** What the widget needs from a transport client. */
export type ChatClient = Pick<ParleyClient, 'on' | 'token' | 'startConversation' | 'join' | 'send' | 'request' | 'typing' | 'read' | 'close'>;
