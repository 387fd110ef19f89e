#!/usr/bin/env node
// Out-of-scope detection on intents the FAQ has never seen, without the 10 held-out intents of val/test:
// the 67 in-scope intents are split into 7 folds; each fold's intents are left out of the FAQ in turn and
// their training utterances become out-of-scope questions. Reads train (and val, for comparison); never test.
// It checks that a default chosen on val transfers to other out-of-scope intents.
//
//   (cd packages/faq && npx rollup -c) && node scripts/bench/faq/pseudo-oos.mjs [--folds 7] [--k 5]
import { fileURLToPath } from 'node:url';
import { faqEntries, readSplit, OOS } from './dataset.mjs';

const argv = process.argv.slice(2);
const opt = (name, d) => { const i = argv.indexOf(name); return i >= 0 ? +argv[i + 1] : d; };
const FOLDS = opt('--folds', 7);
const K = opt('--k', 5);
const SWEEP = [0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65];
const { buildIndex, decide } = await import(fileURLToPath(new URL('../../../packages/faq/dist/index.js', import.meta.url)));

const meta = readSplit('meta');
const train = readSplit('train');
// Per intent, the first 11 train rows are reserved for FAQ construction (dataset README); the rest are questions.
const seen = new Map();
const questions = train.filter((r) => {
  const n = seen.get(r.intent) ?? 0;
  seen.set(r.intent, n + 1);
  return n >= 11;
});

// rows: { oos, conf, top } per question, plus decide() per answerAt of the sweep.
function score(index, rows) {
  return rows.map((r) => {
    const best = index.search(r.text, { limit: 1 })[0];
    const oos = r.intent === OOS;
    return { oos, ok: !oos && best?.id === r.intent, conf: best?.score ?? 0, escalated: SWEEP.map((answerAt) => decide(index, r.text, [], { answerAt }).kind === 'escalate') };
  });
}

function report(label, rows) {
  const nOos = rows.filter((r) => r.oos).length;
  const nIn = rows.length - nOos;
  const top1 = rows.filter((r) => r.ok).length / nIn;
  // AUROC of the confidence, in-scope above out-of-scope (ties count half).
  const sorted = [...rows].sort((a, b) => a.conf - b.conf);
  let below = 0, sum = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j < sorted.length && sorted[j].conf === sorted[i].conf) j++;
    const oosHere = sorted.slice(i, j).filter((r) => r.oos).length;
    for (let q = i; q < j; q++) if (!sorted[q].oos) sum += below + oosHere / 2;
    below += oosHere;
    i = j;
  }
  const f1s = SWEEP.map((_, s) => {
    const esc = rows.filter((r) => r.escalated[s]);
    const tp = esc.filter((r) => r.oos).length;
    const p = tp / (esc.length || 1), rec = tp / nOos;
    return p + rec ? (2 * p * rec) / (p + rec) : 0;
  });
  console.log(`| ${label} | ${nIn} + ${nOos} | ${(100 * top1).toFixed(1)} | ${(sum / (nIn * nOos)).toFixed(3)} | ${f1s.map((f) => (100 * f).toFixed(1)).join(' | ')} |`);
}

console.log(`Escalation F1 % of decide() by answerAt (rest of the policy default), K = ${K}\n`);
console.log(`| questions | in-scope + out-of-scope | top-1 % | AUROC | ${SWEEP.map((a) => `${a}`).join(' | ')} |`);
console.log(`|---|--:|--:|--:|${SWEEP.map(() => '--:').join('|')}|`);
report('val (10 held-out intents)', score(buildIndex(faqEntries(train, meta.intents, K), { fieldWeights: { answer: 0 } }), readSplit('val')));
const all = [];
for (let f = 0; f < FOLDS; f++) {
  const held = new Set(meta.intents.filter((_, i) => i % FOLDS === f));
  const index = buildIndex(faqEntries(train, meta.intents.filter((i) => !held.has(i)), K), { fieldWeights: { answer: 0 } });
  all.push(...score(index, questions.map((r) => (held.has(r.intent) ? { ...r, intent: OOS } : r))));
}
report(`train, ${FOLDS} folds of in-scope intents held out in turn`, all);
// Calibration on unseen intents: share answered right per 0.1-wide confidence bin (out-of-scope counts as wrong).
const bins = Array.from({ length: 10 }, (_, b) => all.filter((r) => Math.min(9, Math.floor(r.conf * 10)) === b));
console.log(`\nHeld-out folds, share answered right by confidence bin: ${bins.map((bin, b) => `${(b / 10).toFixed(1)}+ ${bin.length ? (bin.filter((r) => r.ok).length / bin.length).toFixed(2) : '-'}`).join(', ')}`);
