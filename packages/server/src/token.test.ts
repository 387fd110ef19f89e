import { describe, expect, it } from 'vitest';
import { ParleyError } from '@parley/protocol';
import { createVisitorTokens, generateAgentToken, hashAgentToken } from './token.js';

const secret = 'x'.repeat(40);
const DAY = 24 * 60 * 60 * 1000;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof ParleyError ? err.code : 'not a ParleyError';
  }
  return undefined;
}

describe('createVisitorTokens', () => {
  it('signs and verifies', () => {
    let now = 1_000_000;
    const tokens = createVisitorTokens({ secret, ttlMs: 30 * DAY, now: () => now });
    const { token, claims } = tokens.sign('v_1');
    expect(claims).toEqual({ sub: 'v_1', iat: 1_000_000, exp: 1_000_000 + 30 * DAY });
    now += DAY;
    expect(tokens.verify(token)).toEqual(claims);
  });

  it('expires exactly at exp', () => {
    let now = 0;
    const tokens = createVisitorTokens({ secret, ttlMs: DAY, now: () => now });
    const { token } = tokens.sign('v_1');
    now = DAY - 1;
    expect(tokens.verify(token).sub).toBe('v_1');
    now = DAY;
    expect(codeOf(() => tokens.verify(token))).toBe('AUTH_EXPIRED_TOKEN');
  });

  it('rotates past half the lifetime', () => {
    let now = 0;
    const tokens = createVisitorTokens({ secret, ttlMs: 10 * DAY, now: () => now });
    const { claims } = tokens.sign('v_1');
    now = 5 * DAY - 1;
    expect(tokens.shouldRotate(claims)).toBe(false);
    now = 5 * DAY;
    expect(tokens.shouldRotate(claims)).toBe(true);
  });

  it('refuses forged, tampered and malformed tokens', () => {
    const tokens = createVisitorTokens({ secret });
    const other = createVisitorTokens({ secret: 'y'.repeat(40) });
    const { token } = tokens.sign('v_1');
    const [payload, sig] = token.split('.') as [string, string];
    const forgedPayload = Buffer.from(JSON.stringify({ sub: 'v_2', iat: 0, exp: 9e15 })).toString('base64url');
    for (const bad of [
      other.sign('v_1').token,
      `${forgedPayload}.${sig}`,
      `${payload}.${sig.slice(1)}`,
      `${payload}`,
      `${payload}.${sig}.x`,
      '.',
      `${Buffer.from('not json').toString('base64url')}.${sig}`,
    ]) {
      expect(codeOf(() => tokens.verify(bad)), bad).toBe('AUTH_INVALID_TOKEN');
    }
  });

  it('refuses a short secret with CONFIG_INVALID', () => {
    expect(codeOf(() => createVisitorTokens({ secret: 'short' }))).toBe('CONFIG_INVALID');
  });
});

describe('hashAgentToken', () => {
  it('is a stable SHA-256 hex digest and tokens are unique', () => {
    const a = generateAgentToken();
    expect(hashAgentToken(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashAgentToken(a)).toBe(hashAgentToken(a));
    expect(generateAgentToken()).not.toBe(a);
  });
});
