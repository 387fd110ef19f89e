// The admin REST API under /api/admin: agents, sites, and a visitor's data (export, erasure). Every route needs
// an agent with role `admin` (others: 403 AUTH_FORBIDDEN). Admins run the whole installation, so they may act on
// any site. Must not touch sockets or SQL.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_LIMITS, ParleyError } from '@parley/protocol';
import { createAgentRecord } from '../agents.js';
import { eraseVisitor, exportVisitor } from '../gdpr.js';
import { describeError, type Logger } from '../logger.js';
import { compileFaqSource, MAX_FAQ_BYTES } from '../site-faq.js';
import { parseBusinessHours, parsePreChat, parseRatingScale, parseTheme } from '../site-settings.js';
import type { AgentRecord } from '../storage/privacy-store.js';
import type { Agent, NewSite, Site, SitePatch, Storage } from '../storage/storage.js';
import type { ConsoleAuth } from './auth.js';
import { readJsonBody, sendError, sendJson } from './json.js';

export interface AdminRouterOptions {
  storage: Storage;
  auth: ConsoleAuth;
  logger: Logger;
  now: () => number;
  onError?: (code: string) => void;
  /** Called once an agent is disabled, to close their live sockets (revocation takes effect at once). */
  onAgentDisabled?: (agentId: string) => Promise<void>;
  /** Called once a visitor is erased, to close their live sockets. */
  onVisitorErased?: (visitorId: string) => Promise<void>;
  /** Deletes erased attachments where they are stored (Parley keeps only their URLs). */
  deleteAttachments?: (urls: string[]) => Promise<void>;
}

type Route = (req: IncomingMessage, res: ServerResponse, url: URL, params: string[], admin: Agent) => Promise<void>;

const SITE_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const MAX_ORIGINS = 100;

function badRequest(message: string): ParleyError {
  return new ParleyError('PROTOCOL_BAD_FRAME', message);
}

/** An admin's view of a site: the identity secret is write-only. */
function publicSite(site: Site) {
  return {
    id: site.id,
    key: site.key,
    allowedOrigins: site.allowedOrigins,
    requiresIdentity: site.requiresIdentity,
    hasIdentitySecret: site.identitySecret !== undefined,
    ...(site.businessHours === undefined ? {} : { businessHours: site.businessHours }),
    ...(site.theme === undefined ? {} : { theme: site.theme }),
    ratingScale: site.ratingScale ?? 'csat',
    preChat: site.preChat ?? [],
  };
}

function publicAgent(agent: Agent | AgentRecord) {
  const out: Record<string, unknown> = { id: agent.id, siteId: agent.siteId, name: agent.name, role: agent.role, availability: agent.availability };
  if (agent.email !== undefined) out.email = agent.email;
  if (agent.avatarUrl !== undefined) out.avatarUrl = agent.avatarUrl;
  if ('disabled' in agent) {
    out.disabled = agent.disabled;
    out.createdAt = agent.createdAt;
  }
  return out;
}

function optionalString(body: Record<string, unknown>, key: string, max: number): string | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > max) throw badRequest(`${key} must be a string of at most ${max} characters`);
  return value;
}

function parseOrigins(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_ORIGINS) {
    throw badRequest(`allowedOrigins must be a list of 1–${MAX_ORIGINS} origins, or ["*"]`);
  }
  if (value.includes('*')) {
    if (value.length > 1) throw badRequest('"*" cannot be combined with other origins');
    return ['*'];
  }
  return value.map((item) => {
    if (typeof item !== 'string' || item.length > 2048) throw badRequest('every origin must be a string');
    let origin: string;
    try {
      origin = new URL(item).origin;
    } catch {
      throw badRequest(`"${item}" is not an origin like https://shop.example`);
    }
    if (origin !== item || origin === 'null') throw badRequest(`"${item}" should be written "${origin}" (scheme://host[:port], no path)`);
    return item;
  });
}

function parseIdentitySecret(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length < 32 || value.length > 1024) throw badRequest('identitySecret must be 32–1024 characters');
  return value;
}

export function createAdminRouter(options: AdminRouterOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { storage, auth, logger, now } = options;

  async function siteFor(url: URL, admin: Agent): Promise<Site> {
    const key = url.searchParams.get('site');
    if (key === null || key === '') {
      const own = await storage.getSite(admin.siteId);
      if (own === undefined) throw new ParleyError('CONVERSATION_NOT_FOUND', 'no such site');
      return own;
    }
    const site = key.length > 64 ? undefined : await storage.getSiteByKey(key);
    if (site === undefined) throw badRequest(`no site with key "${key}"`);
    return site;
  }

  const listAgents: Route = async (_req, res, url, _p, admin) => {
    const site = await siteFor(url, admin);
    sendJson(res, 200, { site: site.key, agents: (await storage.listAgents(site.id)).map(publicAgent) });
  };

  const createAgent: Route = async (req, res, _url, _p, admin) => {
    const body = await readJsonBody(req);
    const name = optionalString(body, 'name', 512);
    if (name === undefined) throw badRequest('name is required');
    const role = body.role;
    if (role !== undefined && role !== 'agent' && role !== 'admin') throw badRequest('role must be "agent" or "admin"');
    const siteKey = optionalString(body, 'site', 64);
    const email = optionalString(body, 'email', 254);
    const password = optionalString(body, 'password', 1024);
    const avatarUrl = optionalString(body, 'avatarUrl', 2048);
    let created;
    try {
      created = await createAgentRecord(storage, {
        name,
        ...(siteKey === undefined ? { siteKey: (await storage.getSite(admin.siteId))?.key ?? 'demo' } : { siteKey }),
        ...(email === undefined ? {} : { email }),
        ...(password === undefined ? {} : { password }),
        ...(avatarUrl === undefined ? {} : { avatarUrl }),
        ...(role === undefined ? {} : { role }),
      });
    } catch (err) {
      // createAgentRecord speaks CLI (CONFIG_INVALID); over HTTP that is a bad request.
      if (err instanceof ParleyError && err.code === 'CONFIG_INVALID') throw badRequest(err.message);
      throw err;
    }
    logger.info('admin.agent_created', { by: admin.id, agentId: created.agent.id, role: created.agent.role });
    // The token is shown once, here; only its hash is stored.
    sendJson(res, 201, { agent: publicAgent(created.agent), token: created.token });
  };

  const disableAgent: Route = async (_req, res, _url, [id], admin) => {
    const agentId = id ?? '';
    // An admin locking themselves out would leave nobody to undo it.
    if (agentId === admin.id) throw new ParleyError('AUTH_FORBIDDEN', 'you cannot disable yourself');
    if (agentId.length > DEFAULT_LIMITS.maxIdLength || !(await storage.disableAgent(agentId))) {
      sendJson(res, 404, { code: 'PROTOCOL_UNKNOWN_TYPE', message: 'no such agent' });
      return;
    }
    logger.info('admin.agent_disabled', { by: admin.id, agentId });
    await options.onAgentDisabled?.(agentId);
    sendJson(res, 200, { disabled: true, agentId });
  };

  const listSites: Route = async (_req, res) => {
    sendJson(res, 200, { sites: (await storage.listSites()).map(publicSite) });
  };

  const createSite: Route = async (req, res, _url, _p, admin) => {
    const body = await readJsonBody(req);
    const key = body.key;
    if (typeof key !== 'string' || !SITE_KEY.test(key)) throw badRequest('key must be 1–64 letters, digits, _ or -, starting with a letter or digit');
    const identitySecret = parseIdentitySecret(body.identitySecret);
    const requiresIdentity = body.requiresIdentity;
    if (requiresIdentity !== undefined && typeof requiresIdentity !== 'boolean') throw badRequest('requiresIdentity must be true or false');
    if (requiresIdentity === true && identitySecret === undefined) throw badRequest('requiresIdentity needs an identitySecret');
    const input: NewSite = {
      key,
      allowedOrigins: parseOrigins(body.allowedOrigins ?? ['*']),
      ...(identitySecret === undefined ? {} : { identitySecret }),
      ...(requiresIdentity === undefined ? {} : { requiresIdentity }),
      ...(body.businessHours === undefined ? {} : { businessHours: parseBusinessHours(body.businessHours) }),
      ...(body.theme === undefined ? {} : { theme: parseTheme(body.theme) }),
      ...(body.ratingScale === undefined ? {} : { ratingScale: parseRatingScale(body.ratingScale) }),
      ...(body.preChat === undefined ? {} : { preChat: parsePreChat(body.preChat) }),
    };
    let site: Site;
    try {
      site = await storage.createSite(input);
    } catch (err) {
      if (err instanceof ParleyError && err.code === 'STORAGE_CONFLICT') {
        sendJson(res, 409, { code: err.code, message: `a site with key "${key}" exists` });
        return;
      }
      throw err;
    }
    logger.info('admin.site_created', { by: admin.id, siteId: site.id, key: site.key });
    sendJson(res, 201, { site: publicSite(site) });
  };

  const updateSite: Route = async (req, res, _url, [id], admin) => {
    const body = await readJsonBody(req);
    const patch: SitePatch = {};
    if (body.allowedOrigins !== undefined) patch.allowedOrigins = parseOrigins(body.allowedOrigins);
    if (body.identitySecret === null) patch.identitySecret = null;
    else if (body.identitySecret !== undefined) patch.identitySecret = parseIdentitySecret(body.identitySecret)!;
    if (body.requiresIdentity !== undefined) {
      if (typeof body.requiresIdentity !== 'boolean') throw badRequest('requiresIdentity must be true or false');
      patch.requiresIdentity = body.requiresIdentity;
    }
    if (body.businessHours !== undefined) patch.businessHours = body.businessHours === null ? null : parseBusinessHours(body.businessHours);
    if (body.theme !== undefined) patch.theme = body.theme === null ? null : parseTheme(body.theme);
    if (body.ratingScale !== undefined) patch.ratingScale = body.ratingScale === null ? null : parseRatingScale(body.ratingScale);
    if (body.preChat !== undefined) patch.preChat = body.preChat === null ? null : parsePreChat(body.preChat);
    const siteId = id ?? '';
    const before = siteId.length > DEFAULT_LIMITS.maxIdLength ? undefined : await storage.getSite(siteId);
    if (before === undefined) {
      sendJson(res, 404, { code: 'PROTOCOL_UNKNOWN_TYPE', message: 'no such site' });
      return;
    }
    const hasSecret = patch.identitySecret === undefined ? before.identitySecret !== undefined : patch.identitySecret !== null;
    if ((patch.requiresIdentity ?? before.requiresIdentity) && !hasSecret) throw badRequest('requiresIdentity needs an identitySecret');
    const site = await storage.updateSite(siteId, patch);
    if (site === undefined) {
      sendJson(res, 404, { code: 'PROTOCOL_UNKNOWN_TYPE', message: 'no such site' });
      return;
    }
    logger.info('admin.site_updated', { by: admin.id, siteId, fields: Object.keys(patch) });
    sendJson(res, 200, { site: publicSite(site) });
  };

  async function siteByKeyParam(key: string | undefined): Promise<Site | undefined> {
    return key === undefined || key.length > 64 ? undefined : storage.getSiteByKey(key);
  }

  const getFaq: Route = async (_req, res, _url, [key]) => {
    const site = await siteByKeyParam(key);
    if (site === undefined) {
      sendJson(res, 404, { code: 'PROTOCOL_UNKNOWN_TYPE', message: 'no such site' });
      return;
    }
    const faq = await storage.getSiteFaq(site.id);
    sendJson(res, 200, { site: site.key, source: faq?.source ?? '', updatedAt: faq?.updatedAt ?? null, publicUrl: `/faq/${site.key}.json` });
  };

  const putFaq: Route = async (req, res, _url, [key], admin) => {
    const site = await siteByKeyParam(key);
    if (site === undefined) {
      sendJson(res, 404, { code: 'PROTOCOL_UNKNOWN_TYPE', message: 'no such site' });
      return;
    }
    // JSON escaping can double the size of the text; MAX_FAQ_BYTES bounds the text itself, below.
    const body = await readJsonBody(req, MAX_FAQ_BYTES * 2);
    const source = body.source;
    if (typeof source !== 'string') throw badRequest('source must be the FAQ as Markdown text');
    if (Buffer.byteLength(source) > MAX_FAQ_BYTES) throw badRequest(`the FAQ is over ${MAX_FAQ_BYTES / 1024} kB`);
    let entries: number;
    try {
      ({ entries } = compileFaqSource(source));
    } catch (err) {
      if (err instanceof ParleyError && Array.isArray(err.details?.problems)) {
        sendJson(res, 400, { code: err.code, message: err.message, problems: err.details.problems });
        return;
      }
      throw err;
    }
    const saved = await storage.putSiteFaq({ siteId: site.id, source });
    logger.info('admin.faq_saved', { by: admin.id, siteId: site.id, entries });
    sendJson(res, 200, { site: site.key, source: saved.source, updatedAt: saved.updatedAt, entries, publicUrl: `/faq/${site.key}.json` });
  };

  const exportOne: Route = async (_req, res, _url, [id], admin) => {
    const visitorId = id ?? '';
    const data = visitorId.length > DEFAULT_LIMITS.maxIdLength ? undefined : await exportVisitor(storage, visitorId, now);
    if (data === undefined) {
      sendJson(res, 404, { code: 'PROTOCOL_UNKNOWN_TYPE', message: 'no such visitor' });
      return;
    }
    logger.info('gdpr.visitor_exported', { by: admin.id, visitorId, conversations: data.conversations.length });
    sendJson(res, 200, data, { 'content-disposition': `attachment; filename="parley-visitor-${visitorId.replace(/[^A-Za-z0-9_-]/g, '_')}.json"` });
  };

  const eraseOne: Route = async (_req, res, _url, [id], admin) => {
    const visitorId = id ?? '';
    const result = visitorId.length > DEFAULT_LIMITS.maxIdLength ? undefined : await eraseVisitor(storage, visitorId, logger);
    if (result === undefined) {
      sendJson(res, 404, { code: 'PROTOCOL_UNKNOWN_TYPE', message: 'no such visitor' });
      return;
    }
    logger.info('admin.visitor_erased', { by: admin.id, visitorId });
    // The erasure is committed: what follows is best effort and must not turn the answer into an error.
    try {
      await options.onVisitorErased?.(visitorId);
    } catch (err) {
      logger.warn('gdpr.close_sockets_failed', { visitorId, ...describeError(err) });
    }
    let attachmentsDeleted: boolean | undefined;
    if (options.deleteAttachments !== undefined && result.attachmentUrls.length > 0) {
      try {
        await options.deleteAttachments(result.attachmentUrls);
        attachmentsDeleted = true;
      } catch (err) {
        attachmentsDeleted = false;
        logger.error('gdpr.attachments_delete_failed', { visitorId, count: result.attachmentUrls.length, ...describeError(err) });
      }
    }
    sendJson(res, 200, { erased: { ...result, ...(attachmentsDeleted === undefined ? {} : { attachmentsDeleted }) } });
  };

  const routes: Array<{ method: string; pattern: RegExp; route: Route }> = [
    { method: 'GET', pattern: /^\/api\/admin\/agents$/, route: listAgents },
    { method: 'POST', pattern: /^\/api\/admin\/agents$/, route: createAgent },
    { method: 'POST', pattern: /^\/api\/admin\/agents\/([^/]+)\/disable$/, route: disableAgent },
    { method: 'GET', pattern: /^\/api\/admin\/sites$/, route: listSites },
    { method: 'POST', pattern: /^\/api\/admin\/sites$/, route: createSite },
    { method: 'PATCH', pattern: /^\/api\/admin\/sites\/([^/]+)$/, route: updateSite },
    { method: 'GET', pattern: /^\/api\/admin\/sites\/([^/]+)\/faq$/, route: getFaq },
    { method: 'PUT', pattern: /^\/api\/admin\/sites\/([^/]+)\/faq$/, route: putFaq },
    { method: 'GET', pattern: /^\/api\/admin\/visitors\/([^/]+)\/export$/, route: exportOne },
    { method: 'DELETE', pattern: /^\/api\/admin\/visitors\/([^/]+)$/, route: eraseOne },
  ];

  return async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      // Authenticate before routing, so unauthenticated callers learn nothing about which admin routes exist.
      const { agent } = await auth.authenticate(req);
      if (agent.role !== 'admin') throw new ParleyError('AUTH_FORBIDDEN', 'this needs an admin');
      const matches = routes
        .map((r) => ({ ...r, found: r.pattern.exec(url.pathname) }))
        .filter((r): r is typeof r & { found: RegExpExecArray } => r.found !== null);
      if (matches.length === 0) throw new ParleyError('PROTOCOL_UNKNOWN_TYPE', `no route ${url.pathname}`);
      const match = matches.find((r) => r.method === req.method);
      if (match === undefined) {
        const allow = [...new Set(matches.map((r) => r.method))].join(', ');
        sendJson(res, 405, { code: 'PROTOCOL_UNKNOWN_TYPE', message: `use ${allow}` }, { allow });
        return;
      }
      let params: string[];
      try {
        params = match.found.slice(1).map((p) => decodeURIComponent(p));
      } catch {
        throw badRequest('malformed path');
      }
      await match.route(req, res, url, params, agent);
    } catch (err) {
      options.onError?.(err instanceof ParleyError ? err.code : 'SERVER_INTERNAL');
      if (res.headersSent) {
        logger.error('admin.failed_after_headers', describeError(err));
        res.destroy();
        return;
      }
      if (err instanceof ParleyError) {
        if (err.code === 'STORAGE_UNAVAILABLE') logger.error('admin.storage_unavailable', describeError(err));
        sendError(res, err, err.code === 'AUTH_INVALID_TOKEN' ? { 'www-authenticate': 'Bearer' } : {});
        return;
      }
      logger.error('admin.internal', describeError(err));
      sendError(res, new ParleyError('SERVER_INTERNAL', 'internal error'));
    }
  };
}
