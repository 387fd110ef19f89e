import { type VisitorIdentity } from '@parley/protocol';
/** Clock skew allowed between the site's backend and this server when checking a JWT's `exp` and `iat`. */
export declare const IDENTITY_CLOCK_TOLERANCE_S = 30;
/** A JWT older than this (by `iat`) is refused even if its `exp` is later: identity JWTs are meant to be short-lived. */
export declare const IDENTITY_JWT_MAX_AGE_S: number;
/** What a verified identity proves. `expiresAt` (ms) is set for JWTs: past it, the session's identity is stale. */
export interface VerifiedIdentity {
    userId: string;
    expiresAt?: number;
}
/**
 * The hex HMAC-SHA256 of `userId` under `secret`: what a site's backend puts in `identity.hmac`.
 * @example
 * // on the site's backend, per page view:
 * const hmac = signIdentity(process.env.PARLEY_IDENTITY_SECRET, user.id);
 */
export declare function signIdentity(secret: string, userId: string): string;
/**
 * Checks an identity against the site's secret. Throws `AUTH_IDENTITY_INVALID` (with `details.reason`) when the
 * site has no secret, both or neither proof is given, the HMAC does not match, or the JWT is malformed, signed with
 * another key or algorithm, expired, issued in the future, too old, or names another user than `userId`.
 */
export declare function verifyIdentity(identitySecret: string | undefined, identity: VisitorIdentity, nowMs: number): Promise<VerifiedIdentity>;
/** True once a JWT-proven identity has expired (with the same tolerance): the session may do nothing more with it. */
export declare function isIdentityStale(identity: VerifiedIdentity, nowMs: number): boolean;
