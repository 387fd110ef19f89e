// Self-service slice: questions go to the in-page FAQ engine (no network); its decision answers or escalates.
import type { Decision, HistoryEvent } from '@parley/faq';
import type { TranscriptItem } from '@parley/protocol';
import type { SliceContext } from './widget-store.js';
import type { FaqState, SuggestionRef, TimelineItem } from './types.js';

export interface FaqActions {
  /** The composer's submit: the FAQ while self-serving, a chat message once a person is involved. */
  ask(text: string): Promise<void>;
  /** "Did this help?" on answer item `itemId`. */
  feedback(itemId: string, isHelpful: boolean): void;
  /** A related-question quick reply: shows that entry's answer. */
  pickSuggestion(suggestion: SuggestionRef): void;
  /** Start loading the FAQ engine and data in the background. */
  prefetchFaq(): void;
  /** Append to the decision history and the hand-off transcript. */
  note(history: HistoryEvent | null, item: Omit<TranscriptItem, 'at'>): void;
}

// Keeps `conversation.escalate` well under maxFrameBytes (64 KiB): 50 items × 500 chars.
const MAX_TRANSCRIPT = 50;
const MAX_TRANSCRIPT_TEXT = 500;

export function faqSlice({ get, patch, deps }: SliceContext): { faq: FaqState } & FaqActions {
  const record = (h: HistoryEvent | null, item: Omit<TranscriptItem, 'at'>): void => {
    const { faq } = get();
    const transcript = [...faq.transcript, { ...item, text: item.text.slice(0, MAX_TRANSCRIPT_TEXT), at: deps.now() }];
    patch('faq', { history: h ? [...faq.history, h] : faq.history, transcript: transcript.slice(-MAX_TRANSCRIPT) });
  };
  const addItem = (item: TimelineItem): void => get().addItems([item]);
  const showAnswer = (entry: SuggestionRef, confidence: number, suggestions: SuggestionRef[]): void => {
    addItem({ kind: 'answer', id: deps.uuid(), entryId: entry.id, question: entry.question, text: entry.answer, link: entry.link, confidence, suggestions, replies: entry.replies });
    record({ kind: 'answer', entryId: entry.id, confidence }, { kind: 'answer', text: entry.answer, entryId: entry.id, confidence });
  };
  const toRef = (e: { id: string; question: string; answer: string; link?: string; replies?: string[] }): SuggestionRef => ({
    id: e.id,
    question: e.question,
    answer: e.answer,
    link: e.link,
    replies: e.replies,
  });

  return {
    faq: { status: 'idle', history: [], transcript: [] },

    async ask(raw) {
      const text = raw.trim();
      if (!text) return;
      const { status } = get().conversation;
      if (status === 'queued' || status === 'assigned') return get().send(text);
      if (status !== 'bot') return;
      const history = get().faq.history;
      addItem({ kind: 'question', id: deps.uuid(), text, at: deps.now() });
      record({ kind: 'question', text }, { kind: 'question', text });
      if (get().faq.status === 'idle') patch('faq', { status: 'loading' });
      let decision: Decision;
      try {
        const engine = await deps.loadFaq();
        patch('faq', { status: engine ? 'ready' : 'none' });
        // Without a FAQ every question is for a person.
        decision = engine ? engine.decide(text, history) : { kind: 'escalate', reason: 'out_of_scope' };
      } catch (cause) {
        // A broken FAQ file or engine must not strand the shopper: report it and hand off.
        patch('faq', { status: 'none' });
        deps.emit('error', { code: 'WIDGET_FAQ_FAILED', message: cause instanceof Error ? cause.message : String(cause) });
        decision = { kind: 'escalate', reason: 'low_confidence' };
      }
      if (decision.kind === 'answer') {
        showAnswer(toRef(decision.entry), decision.confidence, decision.suggestions.map((s) => toRef(s.entry)));
        return;
      }
      addItem({ kind: 'event', id: deps.uuid(), key: 'faq.handoff' });
      await get().escalate(decision.reason);
    },

    feedback(itemId, isHelpful) {
      const item = get().conversation.items.find((i) => i.id === itemId);
      if (!item || item.kind !== 'answer' || item.helpful !== undefined) return;
      get().updateItem(itemId, { helpful: isHelpful });
      record(
        { kind: 'feedback', helpful: isHelpful, entryId: item.entryId },
        { kind: 'feedback', text: isHelpful ? 'helpful' : 'not helpful', entryId: item.entryId, helpful: isHelpful },
      );
      if (!isHelpful) addItem({ kind: 'event', id: deps.uuid(), key: 'faq.sorry' });
    },

    note: record,

    prefetchFaq() {
      // Failures surface on the first question, which retries the load.
      deps.loadFaq().catch(() => undefined);
    },

    pickSuggestion(s) {
      if (get().conversation.status !== 'bot') return;
      addItem({ kind: 'question', id: deps.uuid(), text: s.question, at: deps.now() });
      record({ kind: 'question', text: s.question }, { kind: 'question', text: s.question });
      showAnswer(s, 1, []);
    },
  };
}
