// Tuning on train/val only: sweeps matcher knobs and fits the confidence calibration. Never reads test.
//   node scripts/bench/faq/tune.mjs [--engine path/to/bundle.mjs] [--k 5] [--tuning '{"wordShare":0.6}'] [--fit]
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { readSplit, faqEntries, OOS } from './dataset.mjs';

const argv = process.argv.slice(2);
const opt = (k, d) => { const i = argv.indexOf(k); return i >= 0 ? argv[i + 1] : d; };
const engine = await import(pathToFileURL(resolve(opt('--engine', 'packages/faq/dist/index.js'))).href);
const k = +opt('--k', 5);
const meta = readSplit('meta');
const entries = faqEntries(readSplit('train'), meta.intents, k);
const val = readSplit('val');
const tunings = opt('--tuning') ? JSON.parse(opt('--tuning')) : {};
const grid = Array.isArray(tunings) ? tunings : [tunings];

for (const tuning of grid) {
  const index = engine.buildIndex(entries, { tuning, fieldWeights: { answer: 0 }, builtinSynonyms: !argv.includes('--no-builtin') });
  let n = 0, top1 = 0, top3 = 0;
  const rows = [];
  for (const r of val) {
    const out = index.match(r.text, { limit: 5 });
    const ids = out.results.map((x) => x.id);
    const s = out.signals;
    const ok = r.intent !== OOS && ids[0] === r.intent;
    rows.push({ oos: r.intent === OOS, ok, s, conf: out.results[0]?.score ?? 0 });
    if (r.intent === OOS) continue;
    n++;
    if (ok) top1++;
    if (ids.slice(0, 3).includes(r.intent)) top3++;
  }
  // Escalation quality of the calibrated confidence: best val F1 over thresholds and AUROC (OOS vs in-scope).
  const sorted = [...rows].sort((a, b) => a.conf - b.conf);
  const nOos = rows.filter((r) => r.oos).length;
  let best = { f1: 0, t: 0 }, esc = 0, escOos = 0;
  for (const r of sorted) {
    esc++; if (r.oos) escOos++;
    const p = escOos / esc, rec = escOos / nOos, f1 = p + rec ? (2 * p * rec) / (p + rec) : 0;
    if (f1 > best.f1) best = { f1, t: r.conf, p, rec };
  }
  let auc = 0, nin = 0;
  for (const r of sorted) { if (r.oos) auc += nin; else nin++; }
  auc = 1 - auc / (nin * nOos);
  console.log(`${JSON.stringify(tuning)} top1 ${(100 * top1 / n).toFixed(1)} top3 ${(100 * top3 / n).toFixed(1)} | confAUROC ${auc.toFixed(3)} bestF1 ${(100 * best.f1).toFixed(1)} @${best.t.toFixed(3)} P ${(100 * (best.p ?? 0)).toFixed(1)} R ${(100 * (best.rec ?? 0)).toFixed(1)}`);
  if (argv.includes('--fit')) fit(rows);
  if (argv.includes('--decide')) {
    // decide() with the default policy except answerAt, swept: escalation P/R/F1 and in-scope answered right.
    for (const answerAt of [null, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65]) {
      const policy = answerAt === null ? {} : { answerAt };
      let esc = 0, escOos = 0, nOos = 0, nIn = 0, inOk = 0; const reasons = {};
      for (const r of val) {
        const d = engine.decide(index, r.text, [], policy);
        const oos = r.intent === OOS;
        if (oos) nOos++; else nIn++;
        if (d.kind === 'escalate') { esc++; if (oos) escOos++; reasons[d.reason] = (reasons[d.reason] ?? 0) + 1; }
        else if (d.entryId === r.intent) inOk++;
      }
      const P = escOos / (esc || 1), R = escOos / nOos, F = P + R ? (2 * P * R) / (P + R) : 0;
      const acc20 = 0.8 * (inOk / nIn) + 0.2 * R;
      console.log(`  decide answerAt=${answerAt ?? 'default'}: escalate P ${(100 * P).toFixed(1)} R ${(100 * R).toFixed(1)} F1 ${(100 * F).toFixed(1)} | in-scope answered right ${(100 * inOk / nIn).toFixed(1)} | acc@20%oos ${(100 * acc20).toFixed(1)} | ${JSON.stringify(reasons)}`);
    }
  }
  if (argv.includes('--signals')) {
    const feats = { score: (s) => s.score, margin: (s) => s.margin, coverage: (s) => s.coverage, entryCoverage: (s) => s.entryCoverage, agree: (s) => +s.agree, words: (s) => s.words, selfSim: (s) => s.selfSim, rel: (s) => s.score / (s.selfSim || 1), neighbours: (s) => s.neighbours };
    for (const [name, f] of Object.entries(feats)) console.log(`  AUROC(in-scope > oos) ${name}: ${auroc(rows.map((r) => [f(r.s), r.oos])).toFixed(3)}`);
    // Reliability of the confidence in 0.1-wide bins: share answered right (calibration) and share out of scope.
    for (let b = 0; b < 10; b++) {
      const bin = rows.filter((r) => Math.min(9, Math.floor(r.conf * 10)) === b);
      const share = (f) => (bin.length ? (bin.filter(f).length / bin.length).toFixed(2) : '-');
      console.log(`  confidence ${(b / 10).toFixed(1)}–${((b + 1) / 10).toFixed(1)}: n ${bin.length}, right ${share((r) => r.ok)}, out of scope ${share((r) => r.oos)}`);
    }
  }
}

// Logistic regression (gradient descent, light L2) of "top answer is right" (in-scope and right = 1; wrong or
// out-of-scope = 0) on the signals. Prints coefficients to paste into CALIBRATION, plus a 2-fold check within
// val of how well the fitted confidence separates out-of-scope questions.
function FEATURES(s) { return [1, s.score, s.margin, s.coverage, s.entryCoverage, s.agree ? 1 : 0, 1 / Math.max(1, s.words), s.score / (s.selfSim || 1), s.neighbours]; }
function train(rows, target) {
  const X = rows.map((r) => FEATURES(r.s));
  const y = rows.map(target);
  const mu = X[0].map((_, j) => (j ? X.reduce((a, x) => a + x[j], 0) / X.length : 0));
  const sd = X[0].map((_, j) => (j ? Math.sqrt(X.reduce((a, x) => a + (x[j] - mu[j]) ** 2, 0) / X.length) || 1 : 1));
  const Z = X.map((x) => x.map((v, j) => (v - mu[j]) / sd[j]));
  const w = new Array(X[0].length).fill(0);
  for (let it = 0; it < 3000; it++) {
    const g = new Array(w.length).fill(0);
    Z.forEach((x, i) => { const p = 1 / (1 + Math.exp(-x.reduce((a, v, j) => a + v * w[j], 0))); x.forEach((v, j) => (g[j] += (p - y[i]) * v)); });
    w.forEach((_, j) => (w[j] -= 1.0 * (g[j] / Z.length + (j ? 1e-3 * w[j] : 0))));
  }
  // Back to raw-feature coefficients.
  const raw = w.map((v, j) => (j ? v / sd[j] : v));
  raw[0] = w[0] - w.slice(1).reduce((a, v, j) => a + (v * mu[j + 1]) / sd[j + 1], 0);
  return raw;
}
function score(w, s) { return 1 / (1 + Math.exp(-FEATURES(s).reduce((a, v, j) => a + v * w[j], 0))); }
function fit(rows) {
  for (const [label, target] of [['P(correct)', (r) => (r.ok ? 1 : 0)], ['P(in-scope)', (r) => (r.oos ? 0 : 1)]]) {
    const a = rows.filter((_, i) => i % 2 === 0), b = rows.filter((_, i) => i % 2 === 1);
    const wa = train(a, target), wb = train(b, target);
    const held = [...b.map((r) => ({ ...r, conf: score(wa, r.s) })), ...a.map((r) => ({ ...r, conf: score(wb, r.s) }))];
    const f1 = bestF1(held);
    console.log(`  ${label} 2-fold: AUROC ${auroc(held.map((r) => [r.conf, r.oos])).toFixed(3)} bestF1 ${(100 * f1.f1).toFixed(1)} @${f1.t.toFixed(3)}`);
    const w = train(rows, target);
    // In-sample (fitted and scored on all of val): an optimistic ceiling for what these signals can separate.
    const ceiling = bestF1(rows.map((r) => ({ ...r, conf: score(w, r.s) })));
    console.log(`  CALIBRATION (${label}, all val) =`, JSON.stringify(w.map((v) => +v.toFixed(3))), `in-sample bestF1 ${(100 * ceiling.f1).toFixed(1)}`);
  }
}
function bestF1(rows) {
  const sorted = [...rows].sort((a, b) => a.conf - b.conf);
  const nOos = rows.filter((r) => r.oos).length;
  let best = { f1: 0, t: 0 }, esc = 0, escOos = 0;
  for (const r of sorted) {
    esc++; if (r.oos) escOos++;
    const p = escOos / esc, rec = escOos / nOos, f1 = p + rec ? (2 * p * rec) / (p + rec) : 0;
    if (f1 > best.f1) best = { f1, t: r.conf, p, rec };
  }
  return best;
}

function auroc(pairs) {
  const xs = pairs.sort((a, b) => a[0] - b[0]);
  let nIn = 0, nOos = 0, sum = 0;
  for (let i = 0; i < xs.length;) {
    let j = i; while (j < xs.length && xs[j][0] === xs[i][0]) j++;
    const rank = (i + 1 + j) / 2;
    for (let q = i; q < j; q++) { if (xs[q][1]) nOos++; else { nIn++; sum += rank; } }
    i = j;
  }
  return (sum - (nIn * (nIn + 1)) / 2) / (nIn * nOos);
}
