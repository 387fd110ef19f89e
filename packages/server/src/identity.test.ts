import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { ParleyError } from '@parley/protocol';
import { IDENTITY_CLOCK_TOLERANCE_S, isIdentityStale, signIdentity, verifyIdentity } from './identity.js';

const secret = 'k'.repeat(40);
const key = Buffer.from(secret, 'utf8');
const NOW_MS = Date.UTC(2026, 0, 1);
const nowS = NOW_MS / 1000;

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ParleyError && err.code === 'AUTH_IDENTITY_INVALID') return String(err.details?.reason);
    throw err;
  }
  return 'accepted';
}

const jwt = (claims: Record<string, unknown>, alg = 'HS256', signingKey: Uint8Array = key) =>
  new SignJWT(claims).setProtectedHeader({ alg }).sign(signingKey);

describe('signIdentity', () => {
  it('is the hex HMAC-SHA256 of the user id (RFC 4231 test case 2)', () => {
    expect(signIdentity('Jefe', 'what do ya want for nothing?')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });
});

describe('verifyIdentity', () => {
  it('accepts a matching HMAC in either case and returns the user id without expiry', async () => {
    const hmac = signIdentity(secret, 'user-1');
    expect(await verifyIdentity(secret, { userId: 'user-1', hmac }, NOW_MS)).toEqual({ userId: 'user-1' });
    expect(await verifyIdentity(secret, { userId: 'user-1', hmac: hmac.toUpperCase() }, NOW_MS)).toEqual({ userId: 'user-1' });
  });

  it('accepts an HS256 JWT and returns its sub and expiry', async () => {
    const token = await jwt({ sub: 'user-2', iat: nowS - 10, exp: nowS + 300 });
    expect(await verifyIdentity(secret, { jwt: token }, NOW_MS)).toEqual({ userId: 'user-2', expiresAt: (nowS + 300) * 1000 });
    expect(await verifyIdentity(secret, { userId: 'user-2', jwt: token }, NOW_MS)).toMatchObject({ userId: 'user-2' });
  });

  it('allows the clock tolerance on exp and iat, and not more', async () => {
    const t = IDENTITY_CLOCK_TOLERANCE_S;
    expect(await reasonOf(verifyIdentity(secret, { jwt: await jwt({ sub: 'u', iat: nowS - 60, exp: nowS - t + 1 }) }, NOW_MS))).toBe('accepted');
    expect(await reasonOf(verifyIdentity(secret, { jwt: await jwt({ sub: 'u', iat: nowS - 60, exp: nowS - t - 1 }) }, NOW_MS))).toBe('expired');
    expect(await reasonOf(verifyIdentity(secret, { jwt: await jwt({ sub: 'u', iat: nowS + t - 1, exp: nowS + 600 }) }, NOW_MS))).toBe('accepted');
    expect(await reasonOf(verifyIdentity(secret, { jwt: await jwt({ sub: 'u', iat: nowS + t + 5, exp: nowS + 600 }) }, NOW_MS))).not.toBe('accepted');
  });

  it.each([
    ['no secret on the site', undefined, async () => ({ userId: 'u', hmac: signIdentity(secret, 'u') }), 'no_secret'],
    ['neither proof', secret, async () => ({ userId: 'u' }), 'shape'],
    ['both proofs', secret, async () => ({ userId: 'u', hmac: signIdentity(secret, 'u'), jwt: await jwt({ sub: 'u', iat: nowS, exp: nowS + 60 }) }), 'shape'],
    ['hmac without userId', secret, async () => ({ hmac: signIdentity(secret, 'u') }), 'shape'],
    ['hmac of another id', secret, async () => ({ userId: 'v', hmac: signIdentity(secret, 'u') }), 'signature'],
    ['hmac too short', secret, async () => ({ userId: 'u', hmac: signIdentity(secret, 'u').slice(2) }), 'signature'],
    ['hmac not hex', secret, async () => ({ userId: 'u', hmac: 'zz'.repeat(32) }), 'signature'],
    ['jwt under another key', secret, async () => ({ jwt: await jwt({ sub: 'u', iat: nowS, exp: nowS + 60 }, 'HS256', Buffer.from('o'.repeat(40))) }), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'],
    ['jwt with HS512', secret, async () => ({ jwt: await jwt({ sub: 'u', iat: nowS, exp: nowS + 60 }, 'HS512') }), 'ERR_JOSE_ALG_NOT_ALLOWED'],
    ['unsigned jwt (alg none)', secret, async () => ({ jwt: new UnsecuredJWT({ sub: 'u', iat: nowS, exp: nowS + 60 }).encode() }), 'ERR_JOSE_ALG_NOT_ALLOWED'],
    ['jwt without exp', secret, async () => ({ jwt: await jwt({ sub: 'u', iat: nowS }) }), 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['jwt without sub', secret, async () => ({ jwt: await jwt({ iat: nowS, exp: nowS + 60 }) }), 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['jwt older than a day', secret, async () => ({ jwt: await jwt({ sub: 'u', iat: nowS - 2 * 86_400, exp: nowS + 60 }) }), 'expired'],
    ['jwt for another userId', secret, async () => ({ userId: 'v', jwt: await jwt({ sub: 'u', iat: nowS, exp: nowS + 60 }) }), 'claims'],
    ['not a jwt', secret, async () => ({ jwt: 'a.b.c' }), 'ERR_JWS_INVALID'],
  ] as const)('refuses %s', async (_name, siteSecret, identity, reason) => {
    expect(await reasonOf(verifyIdentity(siteSecret, await identity(), NOW_MS))).toBe(reason);
  });
});

describe('isIdentityStale', () => {
  it('is false for HMAC identities and true once a JWT identity is past exp plus the tolerance', () => {
    expect(isIdentityStale({ userId: 'u' }, Number.MAX_SAFE_INTEGER)).toBe(false);
    const expiresAt = NOW_MS + 1000;
    expect(isIdentityStale({ userId: 'u', expiresAt }, expiresAt + IDENTITY_CLOCK_TOLERANCE_S * 1000 - 1)).toBe(false);
    expect(isIdentityStale({ userId: 'u', expiresAt }, expiresAt + IDENTITY_CLOCK_TOLERANCE_S * 1000)).toBe(true);
  });
});
