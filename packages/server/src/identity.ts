// Shopper identity verification against a site's identity secret: HMAC-SHA256 of the user id, or an HS256 JWT.
// Pure apart from node:crypto and jose; knows nothing of sockets or storage.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { errors as joseErrors, jwtVerify } from 'jose';
import { ParleyError, type VisitorIdentity } from '@parley/protocol';

/** Clock skew allowed between the site's backend and this server when checking a JWT's `exp` and `iat`. */
export const IDENTITY_CLOCK_TOLERANCE_S = 30;

/** A JWT older than this (by `iat`) is refused even if its `exp` is later: identity JWTs are meant to be short-lived. */
export const IDENTITY_JWT_MAX_AGE_S = 24 * 60 * 60;

/** What a verified identity proves. `expiresAt` (ms) is set for JWTs: past it, the session's identity is stale. */
export interface VerifiedIdentity {
  userId: string;
  expiresAt?: number;
}

const invalid = (message: string, reason: string) => new ParleyError('AUTH_IDENTITY_INVALID', message, { details: { reason } });

/**
 * The hex HMAC-SHA256 of `userId` under `secret`: what a site's backend puts in `identity.hmac`.
 * @example
 * // on the site's backend, per page view:
 * const hmac = signIdentity(process.env.PARLEY_IDENTITY_SECRET, user.id);
 */
export function signIdentity(secret: string, userId: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(userId, 'utf8').digest('hex');
}

/**
 * Checks an identity against the site's secret. Throws `AUTH_IDENTITY_INVALID` (with `details.reason`) when the
 * site has no secret, both or neither proof is given, the HMAC does not match, or the JWT is malformed, signed with
 * another key or algorithm, expired, issued in the future, too old, or names another user than `userId`.
 */
export async function verifyIdentity(identitySecret: string | undefined, identity: VisitorIdentity, nowMs: number): Promise<VerifiedIdentity> {
  if (identitySecret === undefined) throw invalid('this site does not accept shopper identities', 'no_secret');
  if ((identity.hmac === undefined) === (identity.jwt === undefined)) {
    throw invalid('give exactly one of identity.hmac and identity.jwt', 'shape');
  }
  if (identity.hmac !== undefined) {
    if (identity.userId === undefined) throw invalid('identity.hmac needs identity.userId', 'shape');
    const expected = Buffer.from(signIdentity(identitySecret, identity.userId), 'hex');
    const given = /^[0-9a-f]{64}$/i.test(identity.hmac) ? Buffer.from(identity.hmac, 'hex') : Buffer.alloc(0);
    // timingSafeEqual throws on unequal lengths; the length of a SHA-256 is no secret.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid('the identity signature does not match', 'signature');
    return { userId: identity.userId };
  }
  let payload;
  try {
    ({ payload } = await jwtVerify(identity.jwt!, Buffer.from(identitySecret, 'utf8'), {
      algorithms: ['HS256'],
      requiredClaims: ['sub', 'exp', 'iat'],
      clockTolerance: IDENTITY_CLOCK_TOLERANCE_S,
      maxTokenAge: IDENTITY_JWT_MAX_AGE_S,
      currentDate: new Date(nowMs),
    }));
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw invalid('the identity token has expired', 'expired');
    if (err instanceof joseErrors.JOSEError) throw invalid('the identity token is not valid', err.code);
    throw err;
  }
  const sub = payload.sub;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 512) throw invalid('the identity token has no usable sub', 'claims');
  if (identity.userId !== undefined && identity.userId !== sub) throw invalid('identity.userId differs from the token subject', 'claims');
  return { userId: sub, expiresAt: payload.exp! * 1000 };
}

/** True once a JWT-proven identity has expired (with the same tolerance): the session may do nothing more with it. */
export function isIdentityStale(identity: VerifiedIdentity, nowMs: number): boolean {
  return identity.expiresAt !== undefined && nowMs >= identity.expiresAt + IDENTITY_CLOCK_TOLERANCE_S * 1000;
}
