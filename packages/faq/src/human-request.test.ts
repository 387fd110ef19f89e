// Unit tests for "talk to a person" detection across the shipped languages.
import { describe, expect, it } from 'vitest';
import { isHumanRequest } from './human-request.js';

describe('isHumanRequest', () => {
  it.each([
    'I want to talk to a human',
    'agent please',
    'Can I speak with someone?',
    'get me a representative',
    'Quiero hablar con una persona',
    'necesito un agente',
    'Je voudrais parler à un conseiller',
    'Kann ich mit einem Mitarbeiter sprechen?',
    'Posso falar com uma pessoa?',
    'Vorrei parlare con un operatore',
    'Kan ik een medewerker spreken?',
    'オペレーターと話したい',
    'أريد التحدث مع موظف',
    'אני רוצה לדבר עם נציג',
  ])('recognises %s', (text) => {
    expect(isHumanRequest(text)).toBe(true);
  });

  it.each(['Where is my order?', 'How do I return a jumper?', 'Is there a size chart?', 'agentur', 'humanitarian donations'])(
    'leaves %s alone',
    (text) => {
      expect(isHumanRequest(text)).toBe(false);
    },
  );
});
