/** What a visitor token asserts. Times are ms since the epoch. */
export interface VisitorClaims {
    sub: string;
    iat: number;
    exp: number;
}
/** 30 days: long enough that a returning shopper keeps their history, short enough that a leaked token dies. */
export declare const DEFAULT_VISITOR_TOKEN_TTL_MS: number;
/** Shortest accepted signing secret, in characters. */
export declare const MIN_SECRET_LENGTH = 32;
export interface VisitorTokens {
    /** Issues a token for `visitorId`, valid for the configured lifetime from now. */
    sign(visitorId: string): {
        token: string;
        claims: VisitorClaims;
    };
    /** Checks signature, shape and expiry. Throws `AUTH_INVALID_TOKEN` or `AUTH_EXPIRED_TOKEN`. */
    verify(token: string): VisitorClaims;
    /** True once a token is past half its lifetime: the server hands out a fresh one. */
    shouldRotate(claims: VisitorClaims): boolean;
}
/**
 * Creates the signer. The clock is injected so expiry and rotation are testable.
 * @example
 * const tokens = createVisitorTokens({ secret, ttlMs: DEFAULT_VISITOR_TOKEN_TTL_MS });
 * const { token } = tokens.sign('v_123');
 */
export declare function createVisitorTokens(options: {
    secret: string;
    ttlMs?: number;
    now?: () => number;
}): VisitorTokens;
/** A new random agent token. Only its hash is stored; the token itself is shown once. */
export declare function generateAgentToken(): string;
/** SHA-256 of an agent token, hex. Agents are looked up by this hash, so the database never holds a usable token. */
export declare function hashAgentToken(token: string): string;
/** A random signing secret for a fresh install. */
export declare function generateSecret(): string;
