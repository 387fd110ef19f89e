// Harness adapter for Parley's ranking (scripts/bench/faq/run.mjs runs it; the shared harness picks a threshold).
// The harness's `answer` is the intent name, so answers get weight 0: we must not match on the label.
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../../../packages/faq/dist/index.js', import.meta.url));
const { buildIndex } = await import(DIST);

export const name = 'parley-rank';
export const description = 'Parley @parley/faq search() ranking; escalation threshold picked by the harness';
export const bundleEntry = `export { buildIndex, loadIndex, decide } from ${JSON.stringify(DIST)};`;

export async function build(entries) {
  const index = buildIndex(entries, { fieldWeights: { answer: 0 } });
  return {
    query: (text) => index.search(text, { limit: 10 }).map((r) => ({ id: r.id, score: r.score })),
    serialize: () => JSON.stringify(index.toJSON()),
  };
}
