// What webhooks and /metrics scraping cost on the message path: acked messages per second and ack latency of a real
// server (built dist, SQLite file, real sockets) with them off, then on (every event POSTed to a local receiver,
// /metrics scraped every 100 ms), alternating rounds; server and load generator share this process, the webhook
// receiver runs in its own. Prints a markdown table with the on/off ratio
// and writes results/ops-<date>.json. Run after `cd packages/server && npx rollup -c`.
// Options (env): VISITORS (20), MESSAGES (per visitor, 100), ROUNDS (3).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { createJsonLogger, createServer } from '../../../packages/server/dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const VISITORS = Number(process.env.VISITORS ?? 20);
const MESSAGES = Number(process.env.MESSAGES ?? 100);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const silent = createJsonLogger({ level: 'silent' });

/** The webhook receiver, in a child process (receiver.mjs). */
async function startReceiver() {
  const child = spawn(process.execPath, [join(here, 'receiver.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    child.stdout.once('data', (d) => resolve(JSON.parse(String(d)).port));
    child.once('exit', (code) => reject(new Error(`receiver exited ${code}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url: `${url}/hooks`,
    count: async () => (await (await fetch(`${url}/count`)).json()).count,
    close: () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))),
  };
}

function client(url) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws/visitor`);
  const waiters = new Map();
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data));
    const w = frame.ref === undefined ? undefined : waiters.get(frame.ref);
    if (w !== undefined) {
      waiters.delete(frame.ref);
      w(frame);
    }
  });
  let n = 0;
  const request = (frame) =>
    new Promise((resolve) => {
      const ref = `r${++n}`;
      waiters.set(ref, resolve);
      ws.send(JSON.stringify({ ...frame, ref }));
    });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, request }));
    ws.once('error', reject);
  });
}

/** One round: VISITORS sockets, each sending MESSAGES messages one after another (closed loop, ack awaited). */
async function round(mode) {
  const withHooks = mode === 'webhooks' || mode === 'both';
  const withScrape = mode === 'scrape' || mode === 'both';
  const dir = mkdtempSync(join(tmpdir(), 'parley-ops-bench-'));
  const receiver = withHooks ? await startReceiver() : undefined;
  const server = createServer({
    secret: 's'.repeat(40),
    dbPath: join(dir, 'bench.db'),
    logger: silent,
    rates: { messages: { perSecond: 1e6, burst: 1e6 }, frames: { perSecond: 1e6, burst: 1e6 } },
    ...(withHooks ? { webhooks: { endpoints: [{ url: receiver.url, secret: 'w'.repeat(32) }] } } : {}),
  });
  const { url } = await server.listen(0, '127.0.0.1');
  let scrapes = 0;
  const scraper = withScrape
    ? setInterval(() => {
        fetch(`${url}/metrics`).then((r) => r.text()).then(() => scrapes++, () => {});
      }, 100)
    : undefined;
  const visitors = await Promise.all(Array.from({ length: VISITORS }, () => client(url)));
  const conversations = [];
  for (const v of visitors) {
    await v.request({ type: 'hello', v: 1, role: 'visitor' });
    const joined = await v.request({ type: 'conversation.start', clientId: 'start' });
    conversations.push(joined.conversation.id);
  }
  const latencies = [];
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    visitors.map(async (v, i) => {
      for (let m = 0; m < MESSAGES; m++) {
        const t = performance.now();
        const ack = await v.request({ type: 'message.send', conversationId: conversations[i], clientId: `m${m}`, text: `message ${m}` });
        if (ack.type !== 'message.ack') throw new Error(JSON.stringify(ack));
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  // This process's CPU (server + generator; the receiver is another process) per acked message.
  const cpu = process.cpuUsage(cpu0);
  const cpuUsPerMessage = (cpu.user + cpu.system) / latencies.length;
  if (scraper !== undefined) clearInterval(scraper);
  // Every event (VISITORS created + VISITORS × MESSAGES messages) must reach the receiver: a lossy run would look fast.
  const expected = VISITORS + VISITORS * MESSAGES;
  if (receiver !== undefined) {
    const deadline = Date.now() + 30_000;
    while ((await receiver.count()) < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }
  const delivered = await receiver?.count();
  for (const v of visitors) v.ws.close();
  await server.close({ graceMs: 1000 });
  await receiver?.close();
  rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  const pick = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { mode, cpuUsPerMessage, msgPerSec: latencies.length / seconds, p50: pick(0.5), p99: pick(0.99), delivered, expected: receiver === undefined ? undefined : expected, scrapes };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const MODES = ['off', 'webhooks', 'scrape', 'both'];
const LABELS = { off: 'webhooks off, no scraping (baseline)', webhooks: 'webhooks on (every event POSTed)', scrape: '/metrics scraped every 100 ms', both: 'webhooks on + /metrics every 100 ms' };
const rounds = [];
await round('off'); // warm-up: JIT, SQLite page cache
for (let i = 0; i < ROUNDS; i++) for (const mode of MODES) rounds.push(await round(mode));
const summary = (mode) => {
  const rs = rounds.filter((r) => r.mode === mode);
  return { cpuUs: median(rs.map((r) => r.cpuUsPerMessage)), msgPerSec: median(rs.map((r) => r.msgPerSec)), p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)) };
};
const results = Object.fromEntries(MODES.map((m) => [m, summary(m)]));
const off = results.off;
const hooked = rounds.filter((r) => r.delivered !== undefined);
const lossless = hooked.every((r) => r.delivered === r.expected);
const table = [
  `Ops overhead: ${VISITORS} visitors × ${MESSAGES} messages, closed loop, SQLite file, median of ${ROUNDS} alternating rounds`,
  '',
  '| | CPU µs / message | ratio | acked msg/s | ratio | ack p50 ms | ack p99 ms |',
  '|---|---|---|---|---|---|---|',
  ...MODES.map(
    (m) =>
      `| ${LABELS[m]} | ${results[m].cpuUs.toFixed(0)} | ${(results[m].cpuUs / off.cpuUs).toFixed(2)} | ${results[m].msgPerSec.toFixed(0)} | ${(results[m].msgPerSec / off.msgPerSec).toFixed(2)} | ${results[m].p50.toFixed(2)} | ${results[m].p99.toFixed(2)} |`,
  ),
  '',
  'CPU: this process (server + load generator; the webhook receiver is a separate process) per acked message.',
  '',
  `Webhooks delivered: ${hooked.map((r) => `${r.delivered}/${r.expected}`).join(', ')}${lossless ? '' : ' (LOSS)'}; scrapes per round: ${rounds.filter((r) => r.scrapes > 0).map((r) => r.scrapes).join(', ')}`,
].join('\n');
console.log(table);
mkdirSync(join(here, 'results'), { recursive: true });
const file = join(here, 'results', `ops-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ visitors: VISITORS, messages: MESSAGES, rounds, results, lossless, table }, null, 2));
console.log(`\nwrote ${file}`);
if (!lossless) process.exitCode = 1;
