import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ParleyError } from '@parley/protocol';
import { createRequests, errorFromFrame } from './request.js';

describe('createRequests', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves with the reply, once', async () => {
    const requests = createRequests();
    const reply = requests.track('r1', 1000);
    expect(requests.settle('r1', { type: 'ok', ref: 'r1' })).toBe(true);
    expect(requests.settle('r1', { type: 'ok', ref: 'r1' })).toBe(false);
    await expect(reply).resolves.toEqual({ type: 'ok', ref: 'r1' });
    expect(requests.has('r1')).toBe(false);
  });

  it('times out at exactly timeoutMs with TRANSPORT_TIMEOUT', async () => {
    const requests = createRequests();
    const reply = requests.track('r1', 1000);
    let error: unknown;
    reply.catch((e: unknown) => (error = e));
    await vi.advanceTimersByTimeAsync(999);
    expect(error).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(error).toBeInstanceOf(ParleyError);
    expect((error as ParleyError).code).toBe('TRANSPORT_TIMEOUT');
    expect((error as ParleyError).retryable).toBe(true);
    // A late reply finds nothing to settle.
    expect(requests.settle('r1', { type: 'ok', ref: 'r1' })).toBe(false);
  });

  it('rejects with the server code on an error frame', async () => {
    const requests = createRequests();
    const reply = requests.track('r1', 1000);
    requests.settle('r1', { type: 'error', ref: 'r1', code: 'RATE_LIMITED', message: 'slow down', retryable: true });
    await expect(reply).rejects.toMatchObject({ code: 'RATE_LIMITED', retryable: true });
  });

  it('rejects everything pending with failAll, and clears the timers', async () => {
    const requests = createRequests();
    const a = requests.track('a', 1000);
    const b = requests.track('b', 1000);
    requests.failAll(new ParleyError('TRANSPORT_CLOSED', 'closed', { retryable: true }));
    await expect(a).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
    await expect(b).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('errorFromFrame', () => {
  it('keeps known codes and the conversation', () => {
    const e = errorFromFrame({ type: 'error', code: 'CONVERSATION_CLOSED', message: 'closed', conversationId: 'c1' });
    expect(e.code).toBe('CONVERSATION_CLOSED');
    expect(e.details).toEqual({ conversationId: 'c1' });
    expect(e.retryable).toBe(false);
  });

  it('maps an unknown code to SERVER_INTERNAL and keeps the original in details', () => {
    const e = errorFromFrame({ type: 'error', code: 'FUTURE_THING', message: '?' });
    expect(e.code).toBe('SERVER_INTERNAL');
    expect(e.details).toEqual({ serverCode: 'FUTURE_THING' });
  });
});
