// Console authentication: password login → session token (stored hashed), `Authorization: Bearer` checks,
// logout, and the per-IP login rate limit. Never accepts a token in a URL.

import type { IncomingMessage } from 'node:http';
import { ParleyError } from '@parley/protocol';
import { normalizeEmail } from '../agents.js';
import { decoyPasswordHash, MAX_PASSWORD_LENGTH, verifyPassword } from '../password.js';
import { TokenBucket, type BucketRate } from '../rate-limit.js';
import type { Agent, Storage } from '../storage/storage.js';
import { generateAgentToken, hashAgentToken } from '../token.js';

/** What the console learns about the signed-in agent. */
export interface AgentProfile {
  id: string;
  name: string;
  email?: string;
  role: Agent['role'];
  avatarUrl?: string;
  availability: Agent['availability'];
}

export function toAgentProfile(agent: Agent): AgentProfile {
  const profile: AgentProfile = { id: agent.id, name: agent.name, role: agent.role, availability: agent.availability };
  if (agent.email !== undefined) profile.email = agent.email;
  if (agent.avatarUrl !== undefined) profile.avatarUrl = agent.avatarUrl;
  return profile;
}

export interface ConsoleAuthOptions {
  storage: Storage;
  now: () => number;
  /** How long a login session lasts. */
  sessionTtlMs: number;
  /** Login attempts per client IP. */
  loginRate: BucketRate;
  /** Called after a logout, to close the sockets that authenticated with that session's token. */
  onSessionEnded?: (tokenHash: string) => Promise<void>;
}

export interface ConsoleAuth {
  /** The agent behind `Authorization: Bearer <token>`; rejects with AUTH_INVALID_TOKEN. */
  authenticate(req: IncomingMessage): Promise<{ agent: Agent; tokenHash: string }>;
  /** Checks e-mail and password; rejects with RATE_LIMITED, PROTOCOL_BAD_FRAME or AUTH_INVALID_TOKEN. */
  login(ip: string, body: Record<string, unknown>): Promise<{ token: string; expiresAt: number; agent: AgentProfile }>;
  logout(tokenHash: string): Promise<void>;
  /** Forgets full buckets; called from the server's sweep. */
  sweep(): void;
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{1,1024})$/;
/** One message for unknown e-mail and wrong password, so the answer is no oracle for which e-mails exist. */
const BAD_CREDENTIALS = 'wrong e-mail or password';

export function createConsoleAuth(options: ConsoleAuthOptions): ConsoleAuth {
  const { storage, now } = options;
  const buckets = new Map<string, TokenBucket>();

  return {
    async authenticate(req) {
      const match = BEARER.exec(req.headers.authorization ?? '');
      if (match === null) throw new ParleyError('AUTH_INVALID_TOKEN', 'send Authorization: Bearer <token>');
      const tokenHash = hashAgentToken(match[1]!);
      const agent = await storage.getAgentByTokenHash(tokenHash);
      if (agent === undefined) throw new ParleyError('AUTH_INVALID_TOKEN', 'the token is not valid or has expired');
      return { agent, tokenHash };
    },

    async login(ip, body) {
      let bucket = buckets.get(ip);
      if (bucket === undefined) buckets.set(ip, (bucket = new TokenBucket(options.loginRate, now())));
      if (!bucket.take(now())) throw new ParleyError('RATE_LIMITED', 'too many login attempts; wait a minute', { retryable: true });
      const { email, password } = body;
      if (typeof email !== 'string' || typeof password !== 'string' || email.length > 254 || password.length > MAX_PASSWORD_LENGTH) {
        throw new ParleyError('PROTOCOL_BAD_FRAME', 'send {"email": string, "password": string}');
      }
      const found = await storage.getAgentCredentials(normalizeEmail(email));
      // Unknown e-mails and password-less agents still pay for one scrypt, so timing tells nothing either.
      const stored = found?.passwordHash ?? (await decoyPasswordHash());
      const isMatch = await verifyPassword(password, stored);
      if (found === undefined || found.passwordHash === undefined || !isMatch) {
        throw new ParleyError('AUTH_INVALID_TOKEN', BAD_CREDENTIALS);
      }
      const token = generateAgentToken();
      const expiresAt = now() + options.sessionTtlMs;
      await storage.createAgentSession({ agentId: found.agent.id, tokenHash: hashAgentToken(token), expiresAt });
      return { token, expiresAt, agent: toAgentProfile(found.agent) };
    },

    async logout(tokenHash) {
      await storage.deleteAgentSession(tokenHash);
      await options.onSessionEnded?.(tokenHash);
    },

    sweep() {
      const at = now();
      for (const [ip, bucket] of buckets) if (bucket.isFull(at)) buckets.delete(ip);
    },
  };
}
