// Unit tests for decide(): one case per escalation reason, policy overrides and bad input.
import { describe, expect, it } from 'vitest';
import { decide, DEFAULT_POLICY, type HistoryEvent } from './escalate.js';
import { buildIndex } from './faq-index.js';
import { caught, SMALL_FAQ } from './test-helpers.js';

const index = buildIndex(SMALL_FAQ);
const answered = (entryId: string): HistoryEvent[] => [{ kind: 'question', text: 'q' }, { kind: 'answer', entryId }];

describe('decide', () => {
  it('answers a clear question with the entry, its confidence and "did you mean" suggestions', () => {
    const d = decide(index, 'do you have a size chart?', []);
    expect(d).toMatchObject({ kind: 'answer', entryId: 'size-guide' });
    if (d.kind !== 'answer') throw new Error('unreachable');
    expect(d.entry.id).toBe('size-guide');
    expect(d.confidence).toBeGreaterThanOrEqual(DEFAULT_POLICY.answerAt);
    expect(d.suggestions.every((s) => s.id !== 'size-guide' && s.score >= DEFAULT_POLICY.suggestAt)).toBe(true);
  });

  it('escalates out_of_scope when nothing in the FAQ is about the question', () => {
    expect(decide(index, "what's the weather in Paris?", [])).toMatchObject({ kind: 'escalate', reason: 'out_of_scope' });
    expect(decide(index, 'zzzz', [])).toEqual({ kind: 'escalate', reason: 'out_of_scope' });
    expect(decide(index, '', [])).toEqual({ kind: 'escalate', reason: 'out_of_scope' });
  });

  it('escalates low_confidence with suggestions when related entries exist but none is confident', () => {
    const d = decide(index, 'do you have a size chart?', [], { answerAt: 1.01 }); // 1.01: never auto-answer
    expect(d).toMatchObject({ kind: 'escalate', reason: 'low_confidence' });
    if (d.kind !== 'escalate') throw new Error('unreachable');
    expect(d.suggestions?.[0]?.id).toBe('size-guide');
    expect(d.confidence).toBeGreaterThan(DEFAULT_POLICY.outOfScopeBelow);
  });

  it('escalates asked_for_human before matching, and honours the switch', () => {
    expect(decide(index, 'How do I return an item? I want a human', [])).toEqual({ kind: 'escalate', reason: 'asked_for_human' });
    expect(decide(index, 'Quiero hablar con una persona', [])).toEqual({ kind: 'escalate', reason: 'asked_for_human' });
    expect(decide(index, 'How do I return an item? I want a human', [], { honorHumanRequest: false }).kind).toBe('answer');
  });

  it('escalates negative_feedback right after "that didn\'t help"', () => {
    const history: HistoryEvent[] = [...answered('returns'), { kind: 'feedback', helpful: false, entryId: 'returns' }];
    expect(decide(index, 'how do I return an item', history)).toEqual({ kind: 'escalate', reason: 'negative_feedback' });
    // Positive feedback, or a negative one before a later answer, does not escalate.
    expect(decide(index, 'how do I return an item', [...answered('returns'), { kind: 'feedback', helpful: true }]).kind).toBe('answer');
    expect(decide(index, 'how do I return an item', [...history, { kind: 'answer', entryId: 'returns' }]).kind).toBe('answer');
  });

  it('counts negative feedback as a miss when escalateOnNegativeFeedback is false', () => {
    const history: HistoryEvent[] = [...answered('returns'), { kind: 'feedback', helpful: false }];
    expect(decide(index, 'how do I return an item', history, { escalateOnNegativeFeedback: false }).kind).toBe('answer');
    expect(decide(index, 'how do I return an item', history, { escalateOnNegativeFeedback: false, maxMisses: 1 })).toEqual({ kind: 'escalate', reason: 'repeated_miss' });
  });

  it('escalates repeated_miss after maxMisses unconfirmed answers in a row', () => {
    const misses = (n: number): HistoryEvent[] => Array.from({ length: n }, () => answered('delivery-time')).flat();
    const q = 'when will my order arrive';
    expect(decide(index, q, misses(DEFAULT_POLICY.maxMisses - 1)).kind).toBe('answer');
    expect(decide(index, q, misses(DEFAULT_POLICY.maxMisses))).toEqual({ kind: 'escalate', reason: 'repeated_miss' });
    expect(decide(index, q, misses(2), { maxMisses: 2 })).toEqual({ kind: 'escalate', reason: 'repeated_miss' });
    expect(decide(index, q, misses(5), { maxMisses: 0 }).kind).toBe('answer');
    // A confirmed answer or a hand-off resets the count.
    expect(decide(index, q, [...misses(5), { kind: 'feedback', helpful: true }]).kind).toBe('answer');
    expect(decide(index, q, [...misses(5), { kind: 'escalate', reason: 'low_confidence' }]).kind).toBe('answer');
  });

  it('throws FAQ_BAD_QUERY for bad input', () => {
    expect(caught(() => decide(index, 7 as unknown as string, [])).code).toBe('FAQ_BAD_QUERY');
    expect(caught(() => decide(index, 'hi', null as unknown as HistoryEvent[])).code).toBe('FAQ_BAD_QUERY');
    expect(caught(() => decide(index, 'hi', [{ kind: 'chat' } as unknown as HistoryEvent])).message).toBe('decide(): history[0] has an unknown kind');
    expect(caught(() => decide(index, 'hi', [], { answerAt: -1 })).message).toBe('decide(): policy.answerAt must be a non-negative number');
    expect(caught(() => decide(index, 'hi', [], { answerAtt: 0.5 } as never)).message).toBe('decide(): policy.answerAtt must be a known option');
  });
});
