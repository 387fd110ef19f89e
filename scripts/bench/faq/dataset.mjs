// Reads the shared BANKING77 split and turns it into FAQ entries the way the eval protocol does. Data only.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DATA_DIR = process.env.FAQ_EVAL_DATA ?? '/work/shared/data';
export const OOS = 'oos';

export function readSplit(name, dataset = 'banking77') {
  return JSON.parse(readFileSync(join(DATA_DIR, dataset, `${name}.json`), 'utf8'));
}

// Per in-scope intent, in train-file order: utterance #0 is the question, #1..#K the phrasings.
// The answer is a neutral placeholder: the intent name would leak the label.
export function faqEntries(train, intents, k) {
  const by = new Map(intents.map((i) => [i, []]));
  for (const r of train) {
    const list = by.get(r.intent);
    if (list && list.length < k + 1) list.push(r.text);
  }
  return intents.map((id) => {
    const [question, ...phrasings] = by.get(id);
    return { id, question, phrasings, answer: 'See the help centre.' };
  });
}
