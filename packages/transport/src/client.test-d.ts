import { describe, expectTypeOf, it } from 'vitest';
import type { AssignedFrame, HistoryPageFrame, ResultFrame } from '@parley/protocol';
import type { ParleyClient } from './client.js';

declare const client: ParleyClient;

describe('ParleyClient.request', () => {
  it('types the reply from the frame type', () => {
    expectTypeOf(client.request({ type: 'history.get', conversationId: 'c1', afterSeq: 0 })).resolves.toEqualTypeOf<HistoryPageFrame>();
    expectTypeOf(client.request({ type: 'conversation.accept', conversationId: 'c1' })).resolves.toEqualTypeOf<AssignedFrame>();
    expectTypeOf(client.request({ type: 'agent.availability', availability: 'online' })).resolves.toEqualTypeOf<ResultFrame>();
    // @ts-expect-error frames with a dedicated method (or no reply) are not requests
    void client.request({ type: 'typing', conversationId: 'c1', isTyping: true });
    // @ts-expect-error the client assigns refs
    void client.request({ type: 'conversation.accept', conversationId: 'c1', ref: 'mine' });
  });

  it('types event payloads', () => {
    client.on('message', (m) => expectTypeOf(m.isMine).toEqualTypeOf<boolean>());
    client.on('token', (t) => expectTypeOf(t).toEqualTypeOf<string>());
  });
});
