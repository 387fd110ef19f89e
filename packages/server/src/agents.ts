// Creating agents: a random token shown once, its SHA-256 stored; optional e-mail + scrypt password and role for
// console logins. Shared by createServer().createAgent and the CLI.

import { ParleyError } from '@parley/protocol';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password.js';
import type { Agent, AgentRole, Storage } from './storage/storage.js';
import { generateAgentToken, hashAgentToken } from './token.js';

/** Longest agent name, matching the protocol's label limit. */
const MAX_NAME_LENGTH = 512;
const MAX_EMAIL_LENGTH = 254;
/** Deliberately loose: one @, something on each side, no spaces. Delivery is not our concern, uniqueness is. */
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const MAX_AVATAR_URL_LENGTH = 2048;

/**
 * Avatars reach every shopper's page as an `<img src>`: only absolute http(s) URLs, so a `javascript:` or `data:`
 * URL is refused here rather than trusted to each client's own check.
 */
export function checkAvatarUrl(avatarUrl: string): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(avatarUrl).protocol;
  } catch {
    // Not a URL at all: protocol stays undefined.
  }
  if (avatarUrl.length > MAX_AVATAR_URL_LENGTH || (protocol !== 'https:' && protocol !== 'http:')) {
    throw new ParleyError('CONFIG_INVALID', `the avatar URL must be an http(s) URL of at most ${MAX_AVATAR_URL_LENGTH} characters`);
  }
}

/** What createServer().createAgent and `parley-server create-agent` accept. */
export interface NewAgentInput {
  name: string;
  avatarUrl?: string;
  siteKey?: string;
  /** Login e-mail for the console; needs `password`. */
  email?: string;
  password?: string;
  role?: AgentRole;
}

/** Lowercased and trimmed: e-mails are compared case-insensitively. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function createAgentRecord(storage: Storage, input: NewAgentInput): Promise<{ agent: Agent; token: string }> {
  const name = input.name.trim();
  if (name === '' || name.length > MAX_NAME_LENGTH) {
    throw new ParleyError('CONFIG_INVALID', `agent name must be 1–${MAX_NAME_LENGTH} characters`);
  }
  if (input.role !== undefined && input.role !== 'agent' && input.role !== 'admin') {
    throw new ParleyError('CONFIG_INVALID', 'agent role must be "agent" or "admin"');
  }
  if (input.avatarUrl !== undefined) checkAvatarUrl(input.avatarUrl);
  if ((input.email === undefined) !== (input.password === undefined)) {
    throw new ParleyError('CONFIG_INVALID', 'give both an e-mail and a password for a console login, or neither');
  }
  let email: string | undefined;
  let passwordHash: string | undefined;
  if (input.email !== undefined && input.password !== undefined) {
    email = normalizeEmail(input.email);
    if (!EMAIL.test(email) || email.length > MAX_EMAIL_LENGTH) throw new ParleyError('CONFIG_INVALID', `"${input.email}" is not an e-mail address`);
    if (input.password.length < MIN_PASSWORD_LENGTH || input.password.length > MAX_PASSWORD_LENGTH) {
      throw new ParleyError('CONFIG_INVALID', `the password must be ${MIN_PASSWORD_LENGTH}–${MAX_PASSWORD_LENGTH} characters`);
    }
    if ((await storage.getAgentCredentials(email)) !== undefined) {
      throw new ParleyError('CONFIG_INVALID', `an agent with the e-mail ${email} already exists`);
    }
    passwordHash = await hashPassword(input.password);
  }
  const site = input.siteKey === undefined ? await storage.getDefaultSite() : await storage.getSiteByKey(input.siteKey);
  if (site === undefined) throw new ParleyError('CONFIG_INVALID', `no site with key "${input.siteKey}"`);
  const token = generateAgentToken();
  const agent = await storage.createAgent({
    siteId: site.id,
    name,
    tokenHash: hashAgentToken(token),
    ...(input.avatarUrl === undefined ? {} : { avatarUrl: input.avatarUrl }),
    ...(email === undefined ? {} : { email, passwordHash }),
    ...(input.role === undefined ? {} : { role: input.role }),
  });
  return { agent, token };
}
