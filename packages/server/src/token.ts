// Visitor tokens (HMAC-SHA256, compact `payload.sig`) and agent token hashing. Pure apart from node:crypto.

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ParleyError } from '@parley/protocol';

/** What a visitor token asserts. Times are ms since the epoch. */
export interface VisitorClaims {
  sub: string;
  iat: number;
  exp: number;
}

/** 30 days: long enough that a returning shopper keeps their history, short enough that a leaked token dies. */
export const DEFAULT_VISITOR_TOKEN_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** Shortest accepted signing secret, in characters. */
export const MIN_SECRET_LENGTH = 32;

export interface VisitorTokens {
  /** Issues a token for `visitorId`, valid for the configured lifetime from now. */
  sign(visitorId: string): { token: string; claims: VisitorClaims };
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
export function createVisitorTokens(options: { secret: string; ttlMs?: number; now?: () => number }): VisitorTokens {
  if (options.secret.length < MIN_SECRET_LENGTH) {
    throw new ParleyError('CONFIG_INVALID', `the token secret must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  const ttlMs = options.ttlMs ?? DEFAULT_VISITOR_TOKEN_TTL_MS;
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 60_000) {
    throw new ParleyError('CONFIG_INVALID', 'the visitor token lifetime must be at least one minute');
  }
  const now = options.now ?? Date.now;
  const key = Buffer.from(options.secret, 'utf8');
  const mac = (payload: string): Buffer => createHmac('sha256', key).update(payload).digest();
  const invalid = () => new ParleyError('AUTH_INVALID_TOKEN', 'the token is not valid');

  return {
    sign(visitorId) {
      const iat = now();
      const claims: VisitorClaims = { sub: visitorId, iat, exp: iat + ttlMs };
      const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
      return { token: `${payload}.${mac(payload).toString('base64url')}`, claims };
    },
    verify(token) {
      const dot = token.indexOf('.');
      if (dot <= 0 || dot !== token.lastIndexOf('.')) throw invalid();
      const payload = token.slice(0, dot);
      const given = Buffer.from(token.slice(dot + 1), 'base64url');
      const expected = mac(payload);
      // timingSafeEqual throws on unequal lengths, so compare lengths first (the length is not secret).
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
      let claims: unknown;
      try {
        claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        throw invalid();
      }
      if (!isClaims(claims)) throw invalid();
      if (now() >= claims.exp) throw new ParleyError('AUTH_EXPIRED_TOKEN', 'the token has expired');
      return claims;
    },
    shouldRotate(claims) {
      return now() - claims.iat >= (claims.exp - claims.iat) / 2;
    },
  };
}

function isClaims(v: unknown): v is VisitorClaims {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return typeof c.sub === 'string' && c.sub.length > 0 && Number.isSafeInteger(c.iat) && Number.isSafeInteger(c.exp);
}

/** A new random agent token. Only its hash is stored; the token itself is shown once. */
export function generateAgentToken(): string {
  return `pat_${randomBytes(32).toString('base64url')}`;
}

/** SHA-256 of an agent token, hex. Agents are looked up by this hash, so the database never holds a usable token. */
export function hashAgentToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A random signing secret for a fresh install. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}
