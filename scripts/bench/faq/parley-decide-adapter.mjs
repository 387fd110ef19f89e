// Harness adapter for Parley's own decision: decide() with the default policy; [] when it escalates.
// Answered questions all get score 1, so the harness cannot add a threshold of its own on top.
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../../../packages/faq/dist/index.js', import.meta.url));
const { buildIndex, decide } = await import(DIST);

export const name = 'parley-decide';
export const description = 'Parley decide() with DEFAULT_POLICY (escalations return [])';
export const bundleEntry = `export { buildIndex, loadIndex, decide } from ${JSON.stringify(DIST)};`;

export async function build(entries) {
  const index = buildIndex(entries, { fieldWeights: { answer: 0 } });
  return {
    query(text) {
      const d = decide(index, text, []);
      return d.kind === 'answer' ? [{ id: d.entryId, score: 1 }] : [];
    },
    serialize: () => JSON.stringify(index.toJSON()),
  };
}
