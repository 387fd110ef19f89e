// Test-only helpers shared by the faq unit tests: catching ParleyErrors and a tiny FAQ. Not exported by index.ts.
import { ParleyError } from './errors.js';
import type { FaqEntry } from './entry.js';

/** Run `fn`, expect it to throw a ParleyError, and return it. */
export function caught(fn: () => unknown): ParleyError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ParleyError) return e;
    throw e;
  }
  throw new Error('expected a ParleyError, nothing was thrown');
}

/** A small storefront FAQ for unit tests. */
export const SMALL_FAQ: FaqEntry[] = [
  { id: 'delivery-time', question: 'How long does delivery take?', phrasings: ['When will my order arrive?', 'How many days does shipping take?'], answer: 'Standard delivery takes 3-5 working days.' },
  { id: 'returns', question: 'How do I return an item?', phrasings: ['Can I send something back?', 'Where do I get a return label?'], answer: 'Start a return from your account within 30 days.' },
  { id: 'payment-methods', question: 'What payment methods do you accept?', phrasings: ['Can I pay with PayPal?', 'Which cards do you take?'], answer: 'Visa, Mastercard, PayPal and Apple Pay.' },
  { id: 'size-guide', question: 'How do I find my size?', phrasings: ['Do you have a size chart?', 'What size should I order?'], answer: 'Every product page links to a size guide.' },
  { id: 'reset-password', question: 'How do I reset my password?', phrasings: ['I forgot my password', 'I cannot log in'], answer: 'Use "Forgot password" on the sign-in page.' },
];
