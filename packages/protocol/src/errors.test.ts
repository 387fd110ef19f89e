import { describe, expect, it } from 'vitest';
import { CloseCode, ERROR_CODES, ParleyError, closeCodeFor, isTerminalClose } from './errors.js';

describe('ParleyError', () => {
  it('carries code, retryable, details and cause', () => {
    const cause = new Error('disk');
    const err = new ParleyError('STORAGE_UNAVAILABLE', 'database is down', { retryable: true, details: { op: 'insert' }, cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('STORAGE_UNAVAILABLE');
    expect(err.retryable).toBe(true);
    expect(err.details).toEqual({ op: 'insert' });
    expect(err.cause).toBe(cause);
  });
});

describe('closeCodeFor', () => {
  it('maps every code to a close code in the valid ranges', () => {
    for (const code of ERROR_CODES) {
      const close = closeCodeFor(code);
      expect(close === 1001 || close === 1009 || close === 1011 || (close >= 4000 && close < 5000)).toBe(true);
    }
  });

  it('maps the documented cases', () => {
    expect(closeCodeFor('PROTOCOL_FRAME_TOO_LARGE')).toBe(CloseCode.MESSAGE_TOO_BIG);
    expect(closeCodeFor('AUTH_EXPIRED_TOKEN')).toBe(CloseCode.UNAUTHORIZED);
    expect(closeCodeFor('PROTOCOL_VERSION_UNSUPPORTED')).toBe(CloseCode.VERSION_UNSUPPORTED);
    expect(closeCodeFor('RATE_LIMITED')).toBe(CloseCode.ABUSE);
    expect(closeCodeFor('SERVER_SHUTTING_DOWN')).toBe(CloseCode.GOING_AWAY);
    expect(closeCodeFor('AUTH_IDENTITY_INVALID')).toBe(CloseCode.IDENTITY_REQUIRED);
    expect(closeCodeFor('AUTH_IDENTITY_REQUIRED')).toBe(4004);
  });
});

describe('isTerminalClose', () => {
  it('is true only for auth and version closes', () => {
    expect(isTerminalClose(CloseCode.UNAUTHORIZED)).toBe(true);
    expect(isTerminalClose(CloseCode.VERSION_UNSUPPORTED)).toBe(true);
    expect(isTerminalClose(CloseCode.GOING_AWAY)).toBe(false);
    expect(isTerminalClose(CloseCode.ABUSE)).toBe(false);
    // A fresh identity (and the same token) may succeed: not terminal.
    expect(isTerminalClose(CloseCode.IDENTITY_REQUIRED)).toBe(false);
  });
});
