// The console's REST API under /api: routing, input validation and answers. Auth lives in auth.ts, figures in
// csat.ts; this file must not touch sockets or SQL.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_LIMITS, ParleyError, type ConversationStatus } from '@parley/protocol';
import { describeError, type Logger } from '../logger.js';
import type { Storage } from '../storage/storage.js';
import { toAgentProfile, type ConsoleAuth } from './auth.js';
import { summarizeCsat } from './csat.js';
import { readJsonBody, sendError, sendJson } from './json.js';
import { clientAddress } from '../client-address.js';

export interface ApiRouterOptions {
  storage: Storage;
  auth: ConsoleAuth;
  logger: Logger;
  now: () => number;
  /** Called with the code of every error answered (metrics). */
  onError?: (code: string) => void;
  /** Presence leases renewed at or after this are live (the router's cut-off); default: every lease counts. */
  liveSince?: () => number;
}

const STATUSES: readonly ConversationStatus[] = ['bot', 'queued', 'assigned', 'closed', 'offline'];
const DEFAULT_LIST_LIMIT = 50;
const MAX_LIST_LIMIT = 200;
const MAX_QUERY_LENGTH = 200;
/** Paging deeper than this is better done with a narrower search; it also bounds the database's work. */
const MAX_LIST_OFFSET = 10_000;
/** Messages returned with one conversation; older ones are paged over the socket (`history.get`). */
const DETAIL_MESSAGES = 500;
/** Internal notes returned with one conversation, oldest first. */
const DETAIL_NOTES = 500;
const CSAT_DAYS = 30;

type Route = (req: IncomingMessage, res: ServerResponse, url: URL, params: string[]) => Promise<void>;

function badRequest(message: string): ParleyError {
  return new ParleyError('PROTOCOL_BAD_FRAME', message);
}

/** Builds the /api request handler. Every answer is JSON; errors are `{code, message}`. */
export function createApiRouter(options: ApiRouterOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { storage, auth, logger, now } = options;

  const login: Route = async (req, res) => {
    const body = await readJsonBody(req);
    const result = await auth.login(clientAddress(req), body);
    logger.info('console.login', { agentId: result.agent.id });
    sendJson(res, 200, result);
  };

  const logout: Route = async (req, res) => {
    const { tokenHash } = await auth.authenticate(req);
    await auth.logout(tokenHash);
    res.writeHead(204, { 'cache-control': 'no-store' }).end();
  };

  const me: Route = async (req, res) => {
    const { agent } = await auth.authenticate(req);
    sendJson(res, 200, { agent: toAgentProfile(agent) });
  };

  const listConversations: Route = async (req, res, url) => {
    const { agent } = await auth.authenticate(req);
    const status = url.searchParams.get('status') ?? '';
    if (status !== '' && !STATUSES.includes(status as ConversationStatus)) {
      throw badRequest(`status must be one of ${STATUSES.join(', ')}`);
    }
    const q = url.searchParams.get('q') ?? '';
    if (q.length > MAX_QUERY_LENGTH) throw badRequest(`q must be at most ${MAX_QUERY_LENGTH} characters`);
    const limitText = url.searchParams.get('limit');
    const limit = limitText === null || limitText === '' ? DEFAULT_LIST_LIMIT : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) throw badRequest(`limit must be an integer 1–${MAX_LIST_LIMIT}`);
    const offsetText = url.searchParams.get('offset');
    const offset = offsetText === null || offsetText === '' ? 0 : Number(offsetText);
    if (!Number.isInteger(offset) || offset < 0 || offset > MAX_LIST_OFFSET) throw badRequest(`offset must be an integer 0–${MAX_LIST_OFFSET}`);
    const conversations = await storage.searchConversations({
      siteId: agent.siteId,
      limit,
      offset,
      ...(status === '' ? {} : { status: status as ConversationStatus }),
      ...(q.trim() === '' ? {} : { q }),
    });
    sendJson(res, 200, { conversations });
  };

  const getConversation: Route = async (req, res, _url, [id]) => {
    const { agent } = await auth.authenticate(req);
    const conversationId = id ?? '';
    const detail = conversationId.length > DEFAULT_LIMITS.maxIdLength ? undefined : await storage.getConversationDetail(conversationId);
    // Another site's conversation is answered exactly like a missing one: ids are no oracle.
    if (detail === undefined || detail.siteId !== agent.siteId) throw new ParleyError('CONVERSATION_NOT_FOUND', 'no such conversation');
    const page = await storage.listMessages({ conversationId: detail.id, limit: DETAIL_MESSAGES });
    const notes = await storage.listNotes(detail.id, DETAIL_NOTES);
    sendJson(res, 200, { conversation: detail, messages: page.messages, hasMoreMessages: page.hasMore, notes });
  };

  // Colleagues to transfer to: connected agents of the site with availability and load. Names only: no e-mails,
  // roles or credentials. Agents with no live connection are left out (they could not take a chat).
  const listAgents: Route = async (req, res) => {
    const { agent } = await auth.authenticate(req);
    const loads = await storage.listAgentLoads(agent.siteId, options.liveSince?.() ?? 0);
    const agents = loads.map((l) => ({
      id: l.agent.id,
      name: l.agent.name,
      ...(l.agent.avatarUrl === undefined ? {} : { avatarUrl: l.agent.avatarUrl }),
      availability: l.availability,
      capacity: l.capacity,
      activeCount: l.activeCount,
    }));
    sendJson(res, 200, { agents });
  };

  const csat: Route = async (req, res) => {
    const { agent } = await auth.authenticate(req);
    const at = now();
    const stats = summarizeCsat(await storage.listRatings({ siteId: agent.siteId, sinceMs: at - CSAT_DAYS * 86_400_000 }), at, CSAT_DAYS);
    // Agents see the team's daily series but only their own row; admins see every agent.
    if (agent.role !== 'admin') stats.perAgent = stats.perAgent.filter((row) => row.agentId === agent.id);
    sendJson(res, 200, stats);
  };

  const routes: Array<{ method: string; pattern: RegExp; route: Route }> = [
    { method: 'POST', pattern: /^\/api\/login$/, route: login },
    { method: 'POST', pattern: /^\/api\/logout$/, route: logout },
    { method: 'GET', pattern: /^\/api\/me$/, route: me },
    { method: 'GET', pattern: /^\/api\/conversations$/, route: listConversations },
    { method: 'GET', pattern: /^\/api\/conversations\/([^/]+)$/, route: getConversation },
    { method: 'GET', pattern: /^\/api\/stats\/csat$/, route: csat },
    { method: 'GET', pattern: /^\/api\/agents$/, route: listAgents },
  ];

  return async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const matches = routes
        .map((r) => ({ ...r, found: r.pattern.exec(url.pathname) }))
        .filter((r): r is typeof r & { found: RegExpExecArray } => r.found !== null);
      if (matches.length === 0) throw new ParleyError('PROTOCOL_UNKNOWN_TYPE', `no route ${url.pathname}`);
      const match = matches.find((r) => r.method === req.method || (req.method === 'HEAD' && r.method === 'GET'));
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
      await match.route(req, res, url, params);
    } catch (err) {
      if (res.headersSent) {
        logger.error('api.failed_after_headers', describeError(err));
        res.destroy();
        return;
      }
      options.onError?.(err instanceof ParleyError ? err.code : 'SERVER_INTERNAL');
      if (err instanceof ParleyError) {
        if (err.code === 'STORAGE_UNAVAILABLE') logger.error('api.storage_unavailable', describeError(err));
        const headers: Record<string, string> = {};
        if (err.code === 'RATE_LIMITED') headers['retry-after'] = '60';
        if (err.code === 'AUTH_INVALID_TOKEN' && req.url !== '/api/login') headers['www-authenticate'] = 'Bearer';
        sendError(res, err, headers);
        return;
      }
      logger.error('api.internal', describeError(err));
      sendError(res, new ParleyError('SERVER_INTERNAL', 'internal error'));
    }
  };
}
