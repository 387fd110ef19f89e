// The admin pages' state and actions (agents, sites, the FAQ editor) as a zustand vanilla store beside the
// console's own. Only actions talk to the admin API; the session token comes from the console store.

import { createStore, type StoreApi } from 'zustand/vanilla';
import { ParleyError } from '@parley/protocol';
import { faqProblemsOf, type AdminAgent, type AdminApi, type AdminSite, type FaqProblem, type NewAgentInput, type SitePatchInput } from './admin-api.js';

export interface AdminState {
  agents: { isLoading: boolean; list: AdminAgent[]; error?: string; busyId?: string };
  sites: { isLoading: boolean; list: AdminSite[]; error?: string };
  faq: {
    siteKey?: string;
    /** As saved on the server. */
    saved: string;
    /** As being edited (what "test a question" runs on). */
    draft: string;
    updatedAt: number | null;
    publicUrl?: string;
    isLoading: boolean;
    isSaving: boolean;
    /** Line-numbered problems from the last refused save. */
    problems: FaqProblem[];
    error?: string;
  };
  /** The outcome of the last action, for the live region. */
  notice?: string;

  loadAgents(): Promise<void>;
  /** Resolves true when created. */
  createAgent(input: NewAgentInput): Promise<boolean>;
  disableAgent(id: string): Promise<void>;
  loadSites(): Promise<void>;
  createSite(input: { key: string; allowedOrigins: string[] }): Promise<boolean>;
  updateSite(id: string, patch: SitePatchInput): Promise<boolean>;
  loadFaq(siteKey: string): Promise<void>;
  setFaqDraft(text: string): void;
  saveFaq(): Promise<boolean>;
}

export type AdminStore = StoreApi<AdminState>;

function describe(err: unknown): string {
  return err instanceof ParleyError ? err.message : 'Something went wrong. Try again.';
}

export function createAdminStore(deps: { api: AdminApi; getToken: () => string | undefined }): AdminStore {
  const { api } = deps;
  const token = (): string => {
    const t = deps.getToken();
    if (t === undefined) throw new ParleyError('AUTH_INVALID_TOKEN', 'Sign in again.');
    return t;
  };

  return createStore<AdminState>()((set, get) => ({
    agents: { isLoading: false, list: [] },
    sites: { isLoading: false, list: [] },
    faq: { saved: '', draft: '', updatedAt: null, isLoading: false, isSaving: false, problems: [] },

    async loadAgents() {
      set({ agents: { ...get().agents, isLoading: true, error: undefined } });
      try {
        set({ agents: { isLoading: false, list: await api.listAgents(token()) } });
      } catch (err) {
        set({ agents: { ...get().agents, isLoading: false, error: describe(err) } });
      }
    },

    async createAgent(input) {
      try {
        const agent = await api.createAgent(token(), input);
        // The creation answer is the bare agent; the list has the admin's view (state, creation time).
        const list = await api.listAgents(token()).catch(() => [...get().agents.list, { ...agent, disabled: false, createdAt: Date.now() }]);
        set({ agents: { isLoading: false, list }, notice: `Agent ${agent.name} created.` });
        return true;
      } catch (err) {
        set({ agents: { ...get().agents, error: describe(err) }, notice: `Could not create the agent: ${describe(err)}` });
        return false;
      }
    },

    async disableAgent(id) {
      set({ agents: { ...get().agents, busyId: id } });
      try {
        await api.disableAgent(token(), id);
        const list = get().agents.list.map((a) => (a.id === id ? { ...a, disabled: true, availability: 'offline' as const } : a));
        const name = list.find((a) => a.id === id)?.name ?? 'The agent';
        set({ agents: { isLoading: false, list, error: undefined }, notice: `${name} was disabled.` });
      } catch (err) {
        set({ agents: { ...get().agents, busyId: undefined, error: describe(err) }, notice: `Could not disable: ${describe(err)}` });
      }
    },

    async loadSites() {
      set({ sites: { ...get().sites, isLoading: true, error: undefined } });
      try {
        set({ sites: { isLoading: false, list: await api.listSites(token()) } });
      } catch (err) {
        set({ sites: { ...get().sites, isLoading: false, error: describe(err) } });
      }
    },

    async createSite(input) {
      try {
        const site = await api.createSite(token(), input);
        set({ sites: { ...get().sites, list: [...get().sites.list, site], error: undefined }, notice: `Site ${site.key} created.` });
        return true;
      } catch (err) {
        set({ sites: { ...get().sites, error: describe(err) }, notice: `Could not create the site: ${describe(err)}` });
        return false;
      }
    },

    async updateSite(id, patch) {
      try {
        const site = await api.updateSite(token(), id, patch);
        set({ sites: { ...get().sites, list: get().sites.list.map((s) => (s.id === id ? site : s)), error: undefined }, notice: `Site ${site.key} saved.` });
        return true;
      } catch (err) {
        set({ sites: { ...get().sites, error: describe(err) }, notice: `Could not save the site: ${describe(err)}` });
        return false;
      }
    },

    async loadFaq(siteKey) {
      set({ faq: { ...get().faq, siteKey, isLoading: true, problems: [], error: undefined } });
      try {
        const faq = await api.getFaq(token(), siteKey);
        // A slower answer for a site no longer selected must not overwrite the editor.
        if (get().faq.siteKey !== siteKey) return;
        set({ faq: { siteKey, saved: faq.source, draft: faq.source, updatedAt: faq.updatedAt, publicUrl: faq.publicUrl, isLoading: false, isSaving: false, problems: [] } });
      } catch (err) {
        if (get().faq.siteKey === siteKey) set({ faq: { ...get().faq, isLoading: false, error: describe(err) } });
      }
    },

    setFaqDraft(text) {
      set({ faq: { ...get().faq, draft: text } });
    },

    async saveFaq() {
      const { siteKey, draft } = get().faq;
      if (siteKey === undefined) return false;
      set({ faq: { ...get().faq, isSaving: true, problems: [], error: undefined } });
      try {
        const saved = await api.putFaq(token(), siteKey, draft);
        set({
          faq: { ...get().faq, saved: saved.source, updatedAt: saved.updatedAt, publicUrl: saved.publicUrl, isSaving: false, problems: [] },
          notice: `FAQ saved: ${saved.entries ?? 0} entries.`,
        });
        return true;
      } catch (err) {
        const problems = faqProblemsOf(err) ?? [];
        set({
          faq: { ...get().faq, isSaving: false, problems, ...(problems.length === 0 ? { error: describe(err) } : {}) },
          notice: problems.length > 0 ? `Not saved: the FAQ has ${problems.length} ${problems.length === 1 ? 'error' : 'errors'}.` : `Not saved: ${describe(err)}`,
        });
        return false;
      }
    },
  }));
}
