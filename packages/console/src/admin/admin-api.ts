// The admin REST client (/api/admin on the same origin): agents, sites and their public settings, the site FAQ.
// Separate from api.ts because admin failures carry more than a code: an invalid FAQ comes back with every
// problem and its line, kept in `details.problems`.

import { ERROR_CODES, ParleyError, type Availability, type ErrorCode, type RatingScale } from '@parley/protocol';

export interface AdminAgent {
  id: string;
  siteId: string;
  name: string;
  email?: string;
  role: 'agent' | 'admin';
  availability: Availability;
  disabled: boolean;
  createdAt: number;
}

export interface BusinessHours {
  timezone: string;
  /** `day` 0 = Sunday … 6; a weekday not listed is closed. */
  days: Array<{ day: number; open: string; close: string }>;
}

export interface SiteTheme {
  color?: string;
  position?: 'left' | 'right';
  greeting?: string;
}

export interface AdminSite {
  id: string;
  key: string;
  allowedOrigins: string[];
  requiresIdentity: boolean;
  hasIdentitySecret: boolean;
  businessHours?: BusinessHours;
  theme?: SiteTheme;
  /** How the widget asks for a rating; servers older than scales leave it out (csat). */
  ratingScale?: RatingScale;
}

export interface NewAgentInput {
  name: string;
  email: string;
  password: string;
  role: 'agent' | 'admin';
  site?: string;
}

export interface SitePatchInput {
  allowedOrigins?: string[];
  /** `null` removes the secret. */
  identitySecret?: string | null;
  requiresIdentity?: boolean;
  businessHours?: BusinessHours | null;
  theme?: SiteTheme | null;
  ratingScale?: RatingScale;
}

export interface SiteFaqSource {
  site: string;
  source: string;
  updatedAt: number | null;
  /** Where the widget loads this FAQ from (`faqUrl`). */
  publicUrl: string;
  entries?: number;
}

/** One problem in a FAQ the server refused, with its 1-based line. */
export interface FaqProblem {
  line: number;
  message: string;
  entryId?: string;
}

export interface AdminApi {
  listAgents(token: string, site?: string): Promise<AdminAgent[]>;
  /** The answer is the bare agent (no `disabled`, `createdAt`); list again for the admin's view. */
  createAgent(token: string, input: NewAgentInput): Promise<Omit<AdminAgent, 'disabled' | 'createdAt'>>;
  disableAgent(token: string, id: string): Promise<void>;
  listSites(token: string): Promise<AdminSite[]>;
  createSite(token: string, input: { key: string; allowedOrigins: string[] }): Promise<AdminSite>;
  updateSite(token: string, id: string, patch: SitePatchInput): Promise<AdminSite>;
  getFaq(token: string, siteKey: string): Promise<SiteFaqSource>;
  /** Rejects with `PROTOCOL_BAD_FRAME` and `details.problems` when the Markdown is invalid. */
  putFaq(token: string, siteKey: string, source: string): Promise<SiteFaqSource>;
}

function toErrorCode(code: unknown): ErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'SERVER_INTERNAL';
}

/** The problems of a refused FAQ save, or undefined for any other error. */
export function faqProblemsOf(err: unknown): FaqProblem[] | undefined {
  const problems = err instanceof ParleyError ? err.details?.problems : undefined;
  return Array.isArray(problems) ? (problems as FaqProblem[]) : undefined;
}

export function createAdminApi(options: { baseUrl?: string; fetch?: typeof fetch } = {}): AdminApi {
  const base = options.baseUrl ?? '';
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));

  async function call<T>(path: string, token: string, method = 'GET', body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await doFetch(`${base}/api/admin${path}`, { method, headers, body: body === undefined ? null : JSON.stringify(body), credentials: 'omit' });
    } catch (err) {
      throw new ParleyError('TRANSPORT_NOT_CONNECTED', 'the server could not be reached', { cause: err, retryable: true });
    }
    let parsed: unknown;
    try {
      parsed = await res.json();
    } catch (err) {
      throw new ParleyError('SERVER_INTERNAL', `unexpected answer (HTTP ${res.status})`, { cause: err });
    }
    if (!res.ok) {
      const { code, message, problems } = (parsed ?? {}) as { code?: unknown; message?: unknown; problems?: unknown };
      throw new ParleyError(toErrorCode(code), typeof message === 'string' ? message : `HTTP ${res.status}`, {
        details: { status: res.status, ...(Array.isArray(problems) ? { problems } : {}) },
      });
    }
    return parsed as T;
  }

  const site = (key: string) => `/sites/${encodeURIComponent(key)}`;
  return {
    listAgents: async (token, siteKey) =>
      (await call<{ agents: AdminAgent[] }>(`/agents${siteKey === undefined ? '' : `?site=${encodeURIComponent(siteKey)}`}`, token)).agents,
    createAgent: async (token, input) => (await call<{ agent: AdminAgent }>('/agents', token, 'POST', input)).agent,
    disableAgent: async (token, id) => {
      await call(`/agents/${encodeURIComponent(id)}/disable`, token, 'POST');
    },
    listSites: async (token) => (await call<{ sites: AdminSite[] }>('/sites', token)).sites,
    createSite: async (token, input) => (await call<{ site: AdminSite }>('/sites', token, 'POST', input)).site,
    updateSite: async (token, id, patch) => (await call<{ site: AdminSite }>(`/sites/${encodeURIComponent(id)}`, token, 'PATCH', patch)).site,
    getFaq: (token, key) => call<SiteFaqSource>(`${site(key)}/faq`, token),
    putFaq: (token, key, source) => call<SiteFaqSource>(`${site(key)}/faq`, token, 'PUT', { source }),
  };
}
