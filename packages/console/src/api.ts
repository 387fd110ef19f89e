// The console's REST client (/api on the same origin): login, me, history, conversation detail, CSAT.
// Bearer token in a header, never in a URL. Failures reject with ParleyError carrying the server's code.

import { ERROR_CODES, ParleyError, type Attachment, type Availability, type ConversationStatus, type ErrorCode, type Message, type Note } from '@parley/protocol';
import type { AgentProfile, ConversationDetail, ConversationSummary, CsatStats } from '@parley/server';

export type { AgentProfile, CsatStats };

export interface LoginResult {
  token: string;
  expiresAt: number;
  agent: AgentProfile;
}

export interface ConversationWithMessages {
  conversation: ConversationDetail;
  messages: Message[];
  hasMoreMessages: boolean;
  /** Internal notes, oldest first (absent from servers before notes). */
  notes?: Note[];
}

/** A connected colleague, as `GET /api/agents` lists them: who could take a transfer. */
export interface AgentPresence {
  id: string;
  name: string;
  avatarUrl?: string;
  availability: Availability;
  capacity: number;
  activeCount: number;
}

export interface ConsoleApi {
  login(email: string, password: string): Promise<LoginResult>;
  logout(token: string): Promise<void>;
  me(token: string): Promise<AgentProfile>;
  listConversations(token: string, query?: { status?: ConversationStatus; q?: string; limit?: number; offset?: number }): Promise<ConversationSummary[]>;
  getConversation(token: string, id: string): Promise<ConversationWithMessages>;
  csat(token: string): Promise<CsatStats>;
  /** Connected agents of the site with availability and load. */
  listAgents(token: string): Promise<AgentPresence[]>;
  /** `POST /api/uploads`: the file as the body; the answer goes into a message's `attachments`. */
  uploadFile(token: string, file: File): Promise<Attachment>;
}

export interface ApiOptions {
  /** Origin and path prefix of the API, without `/api`. Default: same origin (`''`). */
  baseUrl?: string;
  fetch?: typeof fetch;
}

function toErrorCode(code: unknown): ErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'SERVER_INTERNAL';
}

/** Builds the REST client. */
export function createApi(options: ApiOptions = {}): ConsoleApi {
  const base = options.baseUrl ?? '';
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));

  async function call<T>(path: string, init: RequestInit & { token?: string; extraHeaders?: Record<string, string> } = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    Object.assign(headers, init.extraHeaders);
    let res: Response;
    try {
      res = await doFetch(`${base}/api${path}`, { method: init.method ?? 'GET', headers, body: init.body ?? null, credentials: 'omit' });
    } catch (err) {
      throw new ParleyError('TRANSPORT_NOT_CONNECTED', 'the server could not be reached', { cause: err, retryable: true });
    }
    if (res.status === 204) return undefined as T;
    let body: unknown;
    try {
      body = await res.json();
    } catch (err) {
      throw new ParleyError('SERVER_INTERNAL', `unexpected answer (HTTP ${res.status})`, { cause: err });
    }
    if (!res.ok) {
      const { code, message, retryable } = (body ?? {}) as { code?: unknown; message?: unknown; retryable?: unknown };
      throw new ParleyError(toErrorCode(code), typeof message === 'string' ? message : `HTTP ${res.status}`, {
        retryable: retryable === true,
        details: { status: res.status },
      });
    }
    return body as T;
  }

  return {
    login: (email, password) => call<LoginResult>('/login', { method: 'POST', body: JSON.stringify({ email, password }) }),
    logout: (token) => call<void>('/logout', { method: 'POST', token }),
    me: async (token) => (await call<{ agent: AgentProfile }>('/me', { token })).agent,
    listConversations: async (token, query = {}) => {
      const params = new URLSearchParams();
      if (query.status !== undefined) params.set('status', query.status);
      if (query.q !== undefined && query.q.trim() !== '') params.set('q', query.q.trim());
      if (query.limit !== undefined) params.set('limit', String(query.limit));
      if (query.offset !== undefined && query.offset > 0) params.set('offset', String(query.offset));
      const search = params.toString();
      return (await call<{ conversations: ConversationSummary[] }>(`/conversations${search === '' ? '' : `?${search}`}`, { token })).conversations;
    },
    getConversation: (token, id) => call<ConversationWithMessages>(`/conversations/${encodeURIComponent(id)}`, { token }),
    csat: (token) => call<CsatStats>('/stats/csat', { token }),
    uploadFile: async (token, file) =>
      (
        await call<{ attachment: Attachment }>('/uploads', {
          method: 'POST',
          token,
          body: file,
          extraHeaders: { 'content-type': file.type || 'application/octet-stream', 'x-parley-filename': encodeURIComponent(file.name) },
        })
      ).attachment,
    listAgents: async (token) => (await call<{ agents: AgentPresence[] }>('/agents', { token })).agents,
  };
}
