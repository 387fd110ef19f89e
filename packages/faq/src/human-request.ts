// Recognises "let me talk to a person" in every shipped language. Patterns only; the decision lives in escalate.ts.
import { normalizeText } from './tokenize.js';

// Matched against normalised text (lower case, no diacritics) padded with spaces, so Latin-script patterns
// use spaces as word edges. Arabic, Hebrew and Japanese patterns match inside words: prefixes attach to
// words there (بموظف, לנציג) or there are no spaces at all.
const PATTERNS: RegExp[] = [
  // en
  / (humans?|agents?|representatives?|reps?|operators?|real person|live (person|agent|chat)|customer (service|support)|staff member) | (talk|speak|chat) (to|with) (someone|somebody|a (person|human)|support|your team) /,
  // es, pt, it
  / (agente|humano|persona reale?|operador|representante|asesor|atend(ente|imento)|pessoa real|operatore|umano|assistenza clienti|atencion al cliente) | (hablar con|falar com|parlare con) (una? |um |uma )?(persona|pessoa|alguien|alguem|qualcuno) /,
  // fr, de, nl
  / (conseillere?|humain|vraie personne|operateur|service client|mitarbeiter(in)?|mensch|berater|kunden(dienst|service)|echte person|medewerker|mens|echt persoon|klantenservice) | parler a (une personne|quelqu un) | mit jemandem (sprechen|reden) | (met )?iemand (spreken|praten) /,
  // ja, ar, he
  /オペレータ|担当者|人と話|有人|موظف|شخص حقيقي|خدمة العملاء|נציג|בן אדם|אדם אמיתי|שירות לקוחות/,
];

/**
 * True when the shopper asks for a person ("talk to someone", "hablar con una persona", "オペレーター", "נציג"…).
 * @example isHumanRequest('Can I speak to a representative?') === true
 */
export function isHumanRequest(text: string): boolean {
  const spaced = ` ${normalizeText(text)} `;
  return PATTERNS.some((p) => p.test(spaced));
}
