#!/usr/bin/env node
// Load benchmark of @parley/server against a bare ws relay measured in the same run: RSS per idle visitor and the
// highest sustained relay rate with p50/p99 latency. Prints markdown tables and writes results/<timestamp>.json.
// Drives only the built bin over real sockets; never imports server code.
//
//   node scripts/bench/server/run.mjs            full run (10,000 idle sockets, full ladder; a few minutes)
//   node scripts/bench/server/run.mjs --quick    smoke check (2,000 idle sockets, short rungs)
//
// See README.md next to this file for what is measured and the caveats.

import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
// BENCH_SERVER_BIN points the bench at another build (a patched copy). BENCH_SERVER_BIN_B adds that build's Parley
// ladders beside this one's, rung by rung in the same run: an A/B whose ratio the machine's noise cannot fake.
const SERVER_BIN = process.env.BENCH_SERVER_BIN ?? join(ROOT, 'packages/server/bin/parley-server.mjs');
const RELAY = fileURLToPath(new URL('./raw-relay.mjs', import.meta.url));
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const SECRET = 'bench-secret-bench-secret-bench-secret!!';

// ── options ─────────────────────────────────────────────────────────────────────────────────────────────────────
const argv = process.argv.slice(2);
const hasFlag = (name) => argv.includes(`--${name}`);
function option(name, envName, fallback) {
  const i = argv.indexOf(`--${name}`);
  if (i !== -1 && argv[i + 1] !== undefined) return argv[i + 1];
  return process.env[envName] ?? fallback;
}
if (hasFlag('help')) {
  process.stdout.write(`Usage: node scripts/bench/server/run.mjs [--quick] [options]
  --quick                 2,000 idle sockets, short rungs (BENCH_QUICK=1)
  --idle <n>              idle sockets for the RSS test (BENCH_IDLE; default 10000, quick 2000)
  --pairs <n>             visitor/agent socket pairs for the relay ladder (BENCH_PAIRS; default 100)
  --ladder <a,b,…>        offered loads in msg/s (BENCH_LADDER)
  --measure-ms <n>        measured window per rung (BENCH_MEASURE_MS; default 4000, quick 1500)
  --p99-bound-ms <n>      a rung is sustained only if p99 ≤ this (BENCH_P99_BOUND_MS; default 50)
  --no-pin                do not pin server and load generator to separate cores
  --no-cross-node         skip the two-node runs
  --no-redis-server       do not start a private redis-server when REDIS_URL is unset
  --modes <a,b,…>         run only these relay ladders (BENCH_MODES): sqlite, raw, postgres, redis, raw-redis
                          (default all that can run); the hop needs its single-node mode too
  --no-idle               skip the RSS-per-idle-socket test
  --bin-b <path>          also run every Parley ladder on this build of the bin, alternating with the default one
                          (BENCH_SERVER_BIN_B); both must accept the same database schema
env: DATABASE_URL (Postgres mode, when the server supports it), REDIS_URL (cross-node mode)
`);
  process.exit(0);
}
const isQuick = hasFlag('quick') || process.env.BENCH_QUICK === '1';
const OPTIONS = {
  isQuick,
  idle: Number(option('idle', 'BENCH_IDLE', isQuick ? 2000 : 10_000)),
  pairs: Number(option('pairs', 'BENCH_PAIRS', 100)),
  ladder: String(option('ladder', 'BENCH_LADDER', isQuick ? '1000,5000,10000,20000' : '1000,2000,5000,10000,15000,20000,30000,40000'))
    .split(',')
    .map(Number),
  warmMs: isQuick ? 500 : 1000,
  measureMs: Number(option('measure-ms', 'BENCH_MEASURE_MS', isQuick ? 1500 : 4000)),
  // After the last send, how long in-window messages may take to arrive before they count as lost.
  drainMs: 3000,
  p99BoundMs: Number(option('p99-bound-ms', 'BENCH_P99_BOUND_MS', 50)),
  isPinned: !hasFlag('no-pin'),
  isCrossNode: !hasFlag('no-cross-node'),
  canStartRedis: !hasFlag('no-redis-server'),
  modes: option('modes', 'BENCH_MODES', undefined)?.split(',').map((m) => m.trim()),
  isIdleRun: !hasFlag('no-idle'),
  binB: option('bin-b', 'BENCH_SERVER_BIN_B', undefined),
};
const MODE_NAMES = ['sqlite', 'raw', 'postgres', 'redis', 'raw-redis'];
for (const mode of OPTIONS.modes ?? []) {
  if (!MODE_NAMES.includes(mode)) {
    process.stderr.write(`unknown mode "${mode}" in --modes (one of ${MODE_NAMES.join(', ')})\n`);
    process.exit(2);
  }
}
const isModeOn = (mode) => OPTIONS.modes === undefined || OPTIONS.modes.includes(mode);
// The targets from the issue.
const TARGETS = { sustainedVsRaw: 0.5, p99AtRate: 5000, p99Ms: 10, rssVsRaw: 1.3, hopP50Ms: 1 };
/** Stop a ladder after this many rungs in a row that were not sustained. */
const MAX_FAILED_RUNGS = 2;

// ── pinning: the load generator re-runs itself on core 1; servers are started on core 0 ─────────────────────────
const hasTaskset = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
// cpus(), not availableParallelism(): the re-run generator is pinned to one core and must still see the machine.
const cores = cpus().length;
const pinNote = !OPTIONS.isPinned
  ? 'unpinned (--no-pin)'
  : !hasTaskset
    ? 'unpinned: taskset not found'
    : cores < 2
      ? 'unpinned: fewer than 2 cores'
      : 'servers (and redis) on core 0, load generator on core 1 (taskset)';
const canPin = OPTIONS.isPinned && hasTaskset && cores >= 2;
if (canPin && process.env.PARLEY_BENCH_PINNED !== '1') {
  // A larger young generation keeps the generator's scavenges (and their latency blips) rare.
  const child = spawn('taskset', ['-c', '1', process.execPath, '--max-semi-space-size=32', fileURLToPath(import.meta.url), ...argv], {
    stdio: 'inherit',
    env: { ...process.env, PARLEY_BENCH_PINNED: '1' },
  });
  const [code] = await once(child, 'exit');
  process.exit(code ?? 1);
}

// ── small helpers ───────────────────────────────────────────────────────────────────────────────────────────────
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (text) => process.stderr.write(`[bench] ${text}\n`);
const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');
const fmtMs = (n) => (n === undefined || Number.isNaN(n) ? '—' : Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : '∞');
const fmtKiB = (n) => (Number.isFinite(n) ? `${n.toFixed(1)} KiB` : '—');
const fmtRatio = (n) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : '—');

async function pool(count, concurrency, task) {
  let next = 0;
  const results = new Array(count);
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

function percentile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function readRssKiB(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (clock ticks are 100 Hz on Linux). */
function readCpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Nanoseconds the process's main thread spent runnable but waiting for a CPU (other processes had it). */
function readRunQueueWaitSeconds(pid) {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
}

/** Median of a few samples, so one GC or page-in does not decide the number. */
async function sampleRssKiB(pid) {
  const samples = [];
  for (let i = 0; i < 5; i++) {
    samples.push(readRssKiB(pid));
    await sleep(200);
  }
  return samples.sort((a, b) => a - b)[2];
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// ── processes under test ────────────────────────────────────────────────────────────────────────────────────────
const children = new Set();

// The bin reads DATABASE_URL / REDIS_URL itself: a mode gets them only when it passes them, so the SQLite rows stay
// SQLite when the bench runs with both set.
function nodeEnv() {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  return env;
}

/** Starts a process on core 0 (when pinning) and resolves once it prints `{"event":"listening","port":…}`. */
async function startListening(name, args, env = {}) {
  const command = canPin ? 'taskset' : process.execPath;
  const fullArgs = canPin ? ['-c', '0', process.execPath, ...args] : args;
  const child = spawn(command, fullArgs, { env: { ...nodeEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stderr = '';
  let warnings = 0;
  child.stderr.on('data', (chunk) => {
    const text = String(chunk);
    warnings += (text.match(/"level":"(warn|error)"/g) ?? []).length;
    stderr = (stderr + text).slice(-4000);
  });
  const exited = once(child, 'exit');
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 20 s; stderr:\n${stderr}`)), 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}; stderr:\n${stderr}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const event = JSON.parse(line);
        if (event.event === 'listening' && typeof event.port === 'number') {
          clearTimeout(timer);
          resolve(event.port);
        }
      } catch {
        // Not a JSON line: the servers print only JSON on stdout, so this is noise and ignored on purpose.
      }
    });
  });
  // taskset execs node in place, so the child's pid is the server's pid (checked: comm must be node).
  const comm = readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim();
  if (comm !== 'node' && comm !== 'MainThread') throw new Error(`${name}: pid ${child.pid} is "${comm}", not node`);
  return {
    name,
    port,
    pid: child.pid,
    warnings: () => warnings,
    stderrTail: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      children.delete(child);
    },
  };
}

function runBin(args, env = {}, bin = SERVER_BIN) {
  const result = spawnSync(process.execPath, [bin, ...args], { env: { ...nodeEnv(), ...env }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`parley-server ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

async function startRedis() {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const command = canPin ? 'taskset' : 'redis-server';
  const child = spawn(command, canPin ? ['-c', '0', 'redis-server', ...args] : args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout.on('data', (c) => (out = (out + String(c)).slice(-4000)));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (/Ready to accept connections/i.test(out)) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start: ${out}`);
    await sleep(50);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
      children.delete(child);
    },
  };
}

// ── clients ─────────────────────────────────────────────────────────────────────────────────────────────────────
/** Opens a socket whose frames queue in an inbox until the hot path takes over (a frame may beat `await`). */
function connect(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.inbox = [];
    ws.wake = undefined;
    ws.on('message', (data) => {
      ws.inbox.push(String(data));
      ws.wake?.();
    });
    ws.once('open', () => {
      ws.off('error', reject);
      // A socket reset mid-run must not crash the generator; the rung's counters show what was lost.
      ws.on('error', () => {});
      resolve(ws);
    });
    ws.once('error', reject);
  });
}

/** Stops queueing frames: idle sockets drop what they get, relay sockets get their hot-path listener next. */
function detachInbox(ws) {
  ws.removeAllListeners('message');
  ws.inbox = [];
  ws.wake = undefined;
}

/** Resolves with the first inbox frame matching `predicate` (earlier ones are dropped); rejects on `error` or timeout. */
function waitFrame(ws, predicate, what, timeoutMs = 20_000) {
  return new Promise((resolve, reject) => {
    const check = () => {
      while (ws.inbox.length > 0) {
        const frame = JSON.parse(ws.inbox.shift());
        if (frame.type === 'error') return finish(new Error(`waiting for ${what}: ${frame.code} ${frame.message}`));
        if (predicate(frame)) return finish(undefined, frame);
      }
    };
    const onClose = (code) => finish(new Error(`waiting for ${what}: socket closed ${code}`));
    const timer = setTimeout(() => finish(new Error(`timed out waiting for ${what}`)), timeoutMs);
    function finish(err, frame) {
      clearTimeout(timer);
      ws.wake = undefined;
      ws.off('close', onClose);
      if (err === undefined) resolve(frame);
      else reject(err);
    }
    ws.wake = check;
    ws.on('close', onClose);
    check();
  });
}

const TEXT = 'Hi! Is the blue jacket still available in size M? Order question.';

/** Everything the load generator needs to know about one system. */
function parleyDriver({ visitorPort, agentPort, agentToken }) {
  return {
    async openIdle(i) {
      const ws = await connect(`ws://127.0.0.1:${visitorPort}/ws/visitor`);
      ws.send(JSON.stringify({ type: 'hello', ref: `h${i}`, v: 1, role: 'visitor' }));
      await waitFrame(ws, (f) => f.type === 'welcome', 'welcome');
      detachInbox(ws);
      return ws;
    },
    async openPair(i) {
      const visitor = await connect(`ws://127.0.0.1:${visitorPort}/ws/visitor`);
      visitor.send(JSON.stringify({ type: 'hello', ref: 'h', v: 1, role: 'visitor' }));
      await waitFrame(visitor, (f) => f.type === 'welcome', 'visitor welcome');
      visitor.send(JSON.stringify({ type: 'conversation.start', ref: 's', clientId: `start-${i}` }));
      const joined = await waitFrame(visitor, (f) => f.type === 'conversation.joined', 'conversation.joined');
      const conversationId = joined.conversation.id;
      const agent = await connect(`ws://127.0.0.1:${agentPort}/ws/agent`);
      agent.send(JSON.stringify({ type: 'hello', ref: 'h', v: 1, role: 'agent', token: agentToken }));
      await waitFrame(agent, (f) => f.type === 'welcome', 'agent welcome');
      agent.send(JSON.stringify({ type: 'conversation.join', ref: 'j', conversationId, afterSeq: 0 }));
      await waitFrame(agent, (f) => f.type === 'conversation.joined', 'agent conversation.joined');
      return { visitor, agent, conversationId };
    },
    frame: (conversationId, clientId) =>
      `{"type":"message.send","ref":"${clientId}","conversationId":"${conversationId}","clientId":"${clientId}","text":"${TEXT}"}`,
    // Parley sends each socket an ack and an echo of its own message too (README: "sender's included"); those are
    // told apart by prefix and clientId without parsing, so the generator spends its CPU on the relayed frames.
    relayed(text, fromPrefix) {
      if (!text.startsWith('{"type":"message.new"')) return undefined;
      if (!text.includes(`"clientId":"${fromPrefix}`)) return undefined;
      const { message } = JSON.parse(text);
      return { clientId: message.clientId, conversationId: message.conversationId };
    },
    isError: (text) => text.startsWith('{"type":"error"'),
  };
}

function rawDriver({ visitorPort, agentPort }) {
  return {
    async openIdle(i) {
      const ws = await connect(`ws://127.0.0.1:${visitorPort}/visitor?pair=idle-${i}`);
      await waitFrame(ws, (f) => f.type === 'ready', 'ready');
      detachInbox(ws);
      return ws;
    },
    async openPair(i) {
      const visitor = await connect(`ws://127.0.0.1:${visitorPort}/visitor?pair=p${i}`);
      await waitFrame(visitor, (f) => f.type === 'ready', 'ready');
      const agent = await connect(`ws://127.0.0.1:${agentPort}/agent?pair=p${i}`);
      await waitFrame(agent, (f) => f.type === 'ready', 'ready');
      return { visitor, agent, conversationId: `p${i}` };
    },
    frame: (conversationId, clientId) =>
      `{"type":"message.send","ref":"${clientId}","conversationId":"${conversationId}","clientId":"${clientId}","text":"${TEXT}"}`,
    relayed(text) {
      const frame = JSON.parse(text);
      return { clientId: frame.clientId, conversationId: frame.conversationId };
    },
    isError: () => false,
  };
}

// ── 1. RSS per idle visitor ─────────────────────────────────────────────────────────────────────────────────────
async function measureIdle(server, driver, count) {
  // Warm-up: load code paths, buffers and the first database pages so "before" is a running server, not a cold one.
  const warm = await pool(200, 50, (i) => driver.openIdle(1_000_000 + i));
  for (const ws of warm) ws.terminate();
  await sleep(1500);
  const beforeKiB = await sampleRssKiB(server.pid);
  const started = performance.now();
  const sockets = await pool(count, 200, (i) => driver.openIdle(i));
  const openMs = performance.now() - started;
  await sleep(2000);
  const afterKiB = await sampleRssKiB(server.pid);
  for (const ws of sockets) ws.terminate();
  await sleep(1500);
  const perSocketKiB = (afterKiB - beforeKiB) / count;
  log(`${server.name}: ${count} idle sockets in ${(openMs / 1000).toFixed(1)} s; RSS ${beforeKiB} → ${afterKiB} KiB = ${perSocketKiB.toFixed(2)} KiB each`);
  return { count, beforeKiB, afterKiB, perSocketKiB, openSeconds: openMs / 1000 };
}

// ── 2. relay ladder ─────────────────────────────────────────────────────────────────────────────────────────────
//
// A "message" is one chat message relayed once through the server: visitor → agent or agent → visitor. The visitor
// side sends open-loop at offered/2 msg/s spread over the pairs; the agent answers each message as soon as it
// arrives, so at steady state the server relays `offered` msg/s. Latency is one-way, sender's send() call to the
// peer's receipt (both ends live in this process, so one clock); the round trip is reported too.

/** Opens the pairs of one system and returns a session that runs one rung at a time, so systems can alternate. */
async function openRelaySession(label, driver, servers) {
  const pairs = await pool(OPTIONS.pairs, 20, (i) => driver.openPair(i));
  const errors = { count: 0, sample: undefined };
  let rung; // the state of the rung in progress; frames of older rungs are ignored
  /** This rung's relayed message `from` ('v' or 'a') in a frame, with its index; error frames are counted. */
  const receive = (data, from) => {
    const at = performance.now();
    const text = String(data);
    const relayed = driver.relayed(text, from);
    if (relayed === undefined) {
      if (driver.isError(text)) {
        errors.count++;
        errors.sample ??= text.slice(0, 200);
      }
      return undefined;
    }
    const [tag, index] = relayed.clientId.slice(1).split('_');
    if (rung === undefined || Number(tag) !== rung.tag) return undefined;
    return { at, tag, n: Number(index), conversationId: relayed.conversationId };
  };
  pairs.forEach((pair) => {
    detachInbox(pair.agent);
    detachInbox(pair.visitor);
    pair.agent.on('message', (data) => {
      const got = receive(data, 'v');
      if (got === undefined) return;
      rung.agentReceived[got.n] = got.at;
      const reply = driver.frame(got.conversationId, `a${got.tag}_${got.n}`);
      rung.agentSent[got.n] = performance.now();
      pair.agent.send(reply);
    });
    pair.visitor.on('message', (data) => {
      const got = receive(data, 'a');
      if (got === undefined) return;
      rung.visitorReceived[got.n] = got.at;
      rung.completed++;
    });
  });

  const results = [];
  let failedInRow = 0;
  let isDone = false;
  let nextTag = 0;
  /** Runs one rung at `offered` msg/s; returns its result, or undefined once this system's ladder has stopped. */
  async function runRung(offered, laterRates = []) {
    if (isDone) return undefined;
    const tag = nextTag++;
    const visitorRate = offered / 2;
    const totalMs = OPTIONS.warmMs + OPTIONS.measureMs;
    const capacity = Math.ceil((visitorRate * totalMs) / 1000) + 16;
    const nanArray = () => new Float64Array(capacity).fill(NaN);
    rung = { tag, visitorSent: nanArray(), agentReceived: nanArray(), agentSent: nanArray(), visitorReceived: nanArray(), completed: 0 };
    const errorsBefore = errors.count;
    const cpuBefore = servers.map((s) => readCpuSeconds(s.pid));
    const waitBefore = servers.map((s) => readRunQueueWaitSeconds(s.pid));
    const loadBefore = loadavg()[0];
    const genCpuBefore = process.cpuUsage();
    const start = performance.now();
    const windowStart = start + OPTIONS.warmMs;
    const windowEnd = windowStart + OPTIONS.measureMs;
    let sent = 0;
    await new Promise((resolve) => {
      // Open loop: every tick sends whatever is due by the clock, whether or not earlier messages came back.
      const timer = setInterval(() => {
        const elapsed = performance.now() - start;
        const due = Math.min(capacity, Math.floor((Math.min(elapsed, totalMs) / 1000) * visitorRate));
        while (sent < due) {
          const n = sent++;
          const pair = pairs[n % pairs.length];
          const frame = driver.frame(pair.conversationId, `v${tag}_${n}`);
          rung.visitorSent[n] = performance.now();
          pair.visitor.send(frame);
        }
        if (elapsed >= totalMs) {
          clearInterval(timer);
          resolve();
        }
      }, 1);
    });
    const cpuAfter = servers.map((s) => readCpuSeconds(s.pid));
    const waitAfter = servers.map((s) => readRunQueueWaitSeconds(s.pid));
    const genCpu = process.cpuUsage(genCpuBefore);
    const loadSeconds = (performance.now() - start) / 1000;
    // Drain: in-window messages get drainMs to arrive; later ones count as lost (latency ∞).
    const drainEnd = performance.now() + OPTIONS.drainMs;
    while (rung.completed < sent && performance.now() < drainEnd) await sleep(10);
    const state = rung;
    let inWindow = 0;
    let delivered = 0;
    let lost = 0;
    const oneWay = [];
    const roundTrip = [];
    for (let n = 0; n < sent; n++) {
      const sentAt = state.visitorSent[n];
      for (const at of [state.agentReceived[n], state.visitorReceived[n]]) if (at >= windowStart && at < windowEnd) delivered++;
      if (!(sentAt >= windowStart && sentAt < windowEnd)) continue;
      inWindow++;
      const toAgent = state.agentReceived[n] - sentAt;
      const toVisitor = state.visitorReceived[n] - state.agentSent[n];
      const rtt = state.visitorReceived[n] - sentAt;
      oneWay.push(Number.isNaN(toAgent) ? Infinity : toAgent, Number.isNaN(toVisitor) ? Infinity : toVisitor);
      roundTrip.push(Number.isNaN(rtt) ? Infinity : rtt);
      if (Number.isNaN(rtt)) lost++;
    }
    oneWay.sort((a, b) => a - b);
    roundTrip.sort((a, b) => a - b);
    const measureSeconds = OPTIONS.measureMs / 1000;
    const achieved = delivered / measureSeconds;
    const p99 = percentile(oneWay, 0.99);
    const result = {
      offered,
      sentRate: (inWindow * 2) / measureSeconds,
      achieved,
      achievedRatio: achieved / offered,
      p50Ms: percentile(oneWay, 0.5),
      p99Ms: p99,
      maxMs: oneWay.at(-1),
      rttP50Ms: percentile(roundTrip, 0.5),
      rttP99Ms: percentile(roundTrip, 0.99),
      lostRoundTrips: lost,
      errors: errors.count - errorsBefore,
      serverCpu: servers.map((s, i) => (cpuAfter[i] - cpuBefore[i]) / loadSeconds),
      // Time the server's main thread was ready to run but another process held the core: the machine's noise.
      serverCpuWait: servers.map((s, i) => (waitAfter[i] - waitBefore[i]) / loadSeconds),
      loadAverage: loadBefore,
      generatorCpu: (genCpu.user + genCpu.system) / 1e6 / loadSeconds,
    };
    // CPU per relayed message, all server processes together: unlike the ceiling, barely moved by outside load.
    result.serverCpuUsPerMsg = (result.serverCpu.reduce((a, c) => a + c, 0) * 1e6) / Math.max(1, result.sentRate);
    result.isSustained = result.achievedRatio >= 0.95 && p99 <= OPTIONS.p99BoundMs && result.errors === 0;
    results.push(result);
    log(
      `${label}: offered ${fmtInt(offered)} → achieved ${fmtInt(achieved)} msg/s, p50 ${fmtMs(result.p50Ms)} ms, p99 ${fmtMs(p99)} ms, ` +
        `lost ${lost}, errors ${result.errors}, server CPU ${result.serverCpu.map((c) => `${Math.round(c * 100)}%`).join('+')} ` +
        `= ${result.serverCpuUsPerMsg.toFixed(0)} µs/msg (waited ${result.serverCpuWait.map((c) => `${Math.round(c * 100)}%`).join('+')}), load ${loadBefore.toFixed(1)}, ` +
        `generator CPU ${Math.round(result.generatorCpu * 100)}% ${result.isSustained ? 'sustained' : 'NOT sustained'}`,
    );
    if (errors.sample !== undefined && result.errors > 0) {
      log(`${label}: first error frame: ${errors.sample}`);
      // The server logs the cause (warn and up) on stderr; the frame itself says nothing about it by design.
      for (const server of servers) log(`${label}: ${server.name} stderr tail:\n${server.stderrTail().slice(-1500)}`);
    }
    // Let the server catch up before the next rung so rungs do not bleed into each other.
    const settleEnd = performance.now() + 15_000;
    while (rung.completed < sent && performance.now() < settleEnd) await sleep(20);
    rung = undefined;
    if (state.completed < sent) {
      log(`${label}: ${sent - state.completed} round trips still outstanding after 15 s; stopping this ladder`);
      isDone = true;
    }
    failedInRow = result.isSustained ? 0 : failedInRow + 1;
    // Higher rates would fail too; a lower or equal one still to come (another round, --ladder 2000,2000,…) is run.
    if (failedInRow >= MAX_FAILED_RUNGS && !laterRates.some((rate) => rate <= offered)) isDone = true;
    await sleep(300);
    return result;
  }
  return {
    label,
    runRung,
    get isDone() {
      return isDone;
    },
    async close() {
      for (const pair of pairs) {
        pair.visitor.terminate();
        pair.agent.terminate();
      }
      await sleep(500);
      const sustained = results.filter((r) => r.isSustained);
      const best = sustained.reduce((a, r) => (a === undefined || r.offered > a.offered ? r : a), undefined);
      return { rungs: results, bestSustained: best === undefined ? undefined : { offered: best.offered, achieved: best.achieved } };
    },
  };
}

/**
 * Runs the ladder on several systems at once, alternating them rung by rung (only one is loaded at a time), so a
 * burst of noise from other processes on this shared machine hits all of them rather than one.
 */
async function runLadders(sessions) {
  for (const [i, offered] of OPTIONS.ladder.entries()) {
    for (const session of sessions) if (!session.isDone) await session.runRung(offered, OPTIONS.ladder.slice(i + 1));
    if (sessions.every((s) => s.isDone)) break;
  }
  const relays = [];
  for (const session of sessions) relays.push(await session.close());
  return relays;
}

// ── systems ─────────────────────────────────────────────────────────────────────────────────────────────────────
const usage = runBin(['--help']);
const SUPPORT = {
  postgres: /DATABASE_URL/.test(usage),
  redis: /REDIS_URL/.test(usage),
};
const dir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
process.on('SIGINT', () => process.exit(130));

// e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server under load.
const SERVER_NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
// Every simulated visitor comes from this one machine: exempt it from the per-IP limits, which exist for real traffic.
const baseServerArgs = ['--port', '0', '--host', '127.0.0.1', '--message-rate', '100000', '--rate-exempt-ips', '127.0.0.1,::ffff:127.0.0.1'];
const serverEnv = { PARLEY_SECRET: SECRET, PARLEY_LOG_LEVEL: 'warn' };

async function startParleyNodes(tag, count, extraEnv = {}, bin = SERVER_BIN) {
  const db = join(dir, `${tag}.db`);
  const created = runBin(['create-agent', '--name', 'Bench Agent', '--db', db], { ...serverEnv, ...extraEnv }, bin);
  const agentToken = JSON.parse(created.trim().split('\n').at(-1)).token;
  const nodes = [];
  for (let i = 0; i < count; i++) {
    nodes.push(await startListening(`parley-${tag}-${i}`, [...SERVER_NODE_ARGS, bin, ...baseServerArgs, '--db', db], { ...serverEnv, ...extraEnv }));
  }
  return { nodes, agentToken };
}

/** The builds whose Parley ladders run: the default one, and the --bin-b one beside it (keys and labels end in B). */
const BUILDS = [
  { bin: SERVER_BIN, suffix: '', tag: '' },
  ...(OPTIONS.binB === undefined ? [] : [{ bin: OPTIONS.binB, suffix: 'B', tag: '-b' }]),
];

const startedAt = new Date();
const loadAtStart = loadavg();
const report = {
  startedAt: startedAt.toISOString(),
  options: OPTIONS,
  pinning: pinNote,
  loadAverageAtStart: loadAtStart,
  node: process.version,
  cores,
  definitions: {
    message: 'one chat message relayed once through the server (visitor→agent or agent→visitor); a round trip is two messages',
    latency: "one-way: sender's send() to the peer's receipt, both in the generator process; rtt = visitor send → agent reply received",
    sustained: `achieved ≥ 95 % of offered, p99 ≤ ${OPTIONS.p99BoundMs} ms, no error frames`,
    rssPerIdle: 'server VmRSS after N idle sockets minus before, divided by N (Parley: after hello/welcome; raw: after open)',
  },
  support: SUPPORT,
  modes: {},
};

log(`pinning: ${pinNote}; node ${process.version}; ${cores} cores; dir ${dir}`);

// 1. Idle RSS, one system at a time (each in its own fresh process).
if (OPTIONS.isIdleRun) {
  {
    const { nodes, agentToken } = await startParleyNodes('sqlite-idle', 1);
    const driver = parleyDriver({ visitorPort: nodes[0].port, agentPort: nodes[0].port, agentToken });
    report.modes.parleySqlite = { idle: await measureIdle(nodes[0], driver, OPTIONS.idle) };
    await nodes[0].stop();
  }
  {
    const node = await startListening('raw-relay-idle', [RELAY, '--port', '0', '--host', '127.0.0.1']);
    report.modes.rawSingle = { idle: await measureIdle(node, rawDriver({ visitorPort: node.port, agentPort: node.port }), OPTIONS.idle) };
    await node.stop();
  }
}

// 2. Relay ladders. Every system under test is started up front (idle but for its open pairs) and the rungs
// alternate between them.
let redis;
if (OPTIONS.isCrossNode && (isModeOn('redis') || isModeOn('raw-redis'))) {
  if (process.env.REDIS_URL !== undefined) redis = { url: process.env.REDIS_URL, stop: async () => {}, isPrivate: false };
  else if (OPTIONS.canStartRedis && spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0) {
    redis = { ...(await startRedis()), isPrivate: true };
    log(`REDIS_URL not set: started a private redis-server at ${redis.url}${canPin ? ' on core 0' : ''}`);
  }
}
report.redis = redis === undefined ? 'none' : redis.isPrivate ? 'private redis-server started by the bench' : 'REDIS_URL';
const crossNodeSkip = !OPTIONS.isCrossNode
  ? 'skipped (--no-cross-node)'
  : !isModeOn('redis') && !isModeOn('raw-redis')
    ? 'skipped (not in --modes)'
    : 'n/a (REDIS_URL not set and no redis-server on PATH)';

const ladderSystems = []; // { key, session, stop }
const modeOff = 'skipped (not in --modes)';
if (!isModeOn('sqlite')) report.modes.parleySqlite = { ...report.modes.parleySqlite, skipped: modeOff };
else {
  for (const { bin, suffix, tag } of BUILDS) {
    const { nodes, agentToken } = await startParleyNodes(`sqlite${tag}`, 1, {}, bin);
    const driver = parleyDriver({ visitorPort: nodes[0].port, agentPort: nodes[0].port, agentToken });
    ladderSystems.push({ key: `parleySqlite${suffix}`, session: await openRelaySession(`parley sqlite${suffix && ` [${suffix}]`}`, driver, nodes), nodes });
  }
}
if (!isModeOn('raw')) report.modes.rawSingle = { ...report.modes.rawSingle, skipped: modeOff };
else {
  const node = await startListening('raw-relay', [RELAY, '--port', '0', '--host', '127.0.0.1']);
  const driver = rawDriver({ visitorPort: node.port, agentPort: node.port });
  ladderSystems.push({ key: 'rawSingle', session: await openRelaySession('raw ws', driver, [node]), nodes: [node] });
}
if (!isModeOn('postgres')) report.modes.parleyPostgres = { skipped: modeOff };
else if (process.env.DATABASE_URL === undefined) report.modes.parleyPostgres = { skipped: 'n/a (DATABASE_URL not set)' };
else if (!SUPPORT.postgres) report.modes.parleyPostgres = { skipped: 'n/a (server has no Postgres wiring yet)' };
else {
  for (const { bin, suffix, tag } of BUILDS) {
    const { nodes, agentToken } = await startParleyNodes(`postgres${tag}`, 1, { DATABASE_URL: process.env.DATABASE_URL }, bin);
    const driver = parleyDriver({ visitorPort: nodes[0].port, agentPort: nodes[0].port, agentToken });
    ladderSystems.push({ key: `parleyPostgres${suffix}`, session: await openRelaySession(`parley postgres${suffix && ` [${suffix}]`}`, driver, nodes), nodes });
  }
}
// Two nodes through Redis: visitors on node A, agents on node B, so every relayed message crosses Redis once.
if (redis === undefined) {
  report.modes.parleyRedis = { skipped: crossNodeSkip };
  report.modes.rawRedis = { skipped: crossNodeSkip };
} else {
  if (!isModeOn('redis')) report.modes.parleyRedis = { skipped: modeOff };
  else if (!SUPPORT.redis) report.modes.parleyRedis = { skipped: 'n/a (server has no Redis wiring yet)' };
  else {
    // Two nodes share a store: Postgres when there is one, else one SQLite file.
    const isOnPostgres = process.env.DATABASE_URL !== undefined && SUPPORT.postgres;
    for (const { bin, suffix, tag } of BUILDS) {
      // Each build's pair on its own channel prefix, so neither hears the other's site-wide frames.
      const env = { REDIS_URL: redis.url, PARLEY_REDIS_PREFIX: `parley-bench${tag}:`, ...(isOnPostgres ? { DATABASE_URL: process.env.DATABASE_URL } : {}) };
      const { nodes, agentToken } = await startParleyNodes(`redis${tag}`, 2, env, bin);
      const driver = parleyDriver({ visitorPort: nodes[0].port, agentPort: nodes[1].port, agentToken });
      report.modes[`parleyRedis${suffix}`] = { store: isOnPostgres ? 'postgres' : 'sqlite' };
      const label = `parley 2 nodes + redis (${isOnPostgres ? 'postgres' : 'sqlite'})${suffix && ` [${suffix}]`}`;
      ladderSystems.push({ key: `parleyRedis${suffix}`, session: await openRelaySession(label, driver, nodes), nodes });
    }
  }
  if (!isModeOn('raw-redis')) report.modes.rawRedis = { skipped: modeOff };
  else {
    const a = await startListening('raw-relay-a', [RELAY, '--port', '0', '--host', '127.0.0.1', '--redis', redis.url]);
    const b = await startListening('raw-relay-b', [RELAY, '--port', '0', '--host', '127.0.0.1', '--redis', redis.url]);
    const driver = rawDriver({ visitorPort: a.port, agentPort: b.port });
    ladderSystems.push({ key: 'rawRedis', session: await openRelaySession('raw ws 2 nodes + redis', driver, [a, b]), nodes: [a, b] });
  }
}
const relays = await runLadders(ladderSystems.map((s) => s.session));
ladderSystems.forEach((system, i) => {
  report.modes[system.key] = { ...report.modes[system.key], relay: relays[i], serverWarnings: system.nodes.map((n) => n.warnings()) };
});
for (const system of ladderSystems) for (const node of system.nodes) await node.stop();
await redis?.stop();

// ── report ──────────────────────────────────────────────────────────────────────────────────────────────────────
const modes = report.modes;
const lines = [];
const out = (line = '') => lines.push(line);
const rungAt = (relay, offered) => relay?.rungs.find((r) => r.offered === offered);
const bestOf = (mode) => mode?.relay?.bestSustained;

out(`## @parley/server load benchmark — ${startedAt.toISOString()}${OPTIONS.isQuick ? ' (quick)' : ''}`);
out();
out(`Node ${process.version}, ${cores} cores, ${pinNote}. ${OPTIONS.pairs} visitor/agent pairs; rungs: ${OPTIONS.warmMs} ms warm-up + ${OPTIONS.measureMs} ms measured.`);
out(`msg/s = chat messages relayed once through the server (visitor→agent or agent→visitor); each round trip is 2 messages.`);
out(`Latency = one-way, sender's send() → peer's receipt (same clock). Sustained = achieved ≥ 95 % of offered, p99 ≤ ${OPTIONS.p99BoundMs} ms, no errors.`);
out(`Parley: SQLite WAL, synchronous=FULL, group commit; every message is durable before its ack and its message.new.`);
out(`"server waited for CPU" = share of the rung the server's main thread was runnable while other processes held its core`);
out(`(from /proc/<pid>/schedstat); load average at start ${loadAtStart.map((l) => l.toFixed(1)).join(' / ')}. High values mean the machine was noisy.`);
out();
const rawIdle = modes.rawSingle?.idle;
if (rawIdle !== undefined) {
  out(`### RSS per idle visitor`);
  out();
  out('| system | idle sockets | RSS before | RSS after | per idle socket | vs raw ws |');
  out('|---|--:|--:|--:|--:|--:|');
  for (const [name, mode] of [['Parley (hello + welcome)', modes.parleySqlite], ['raw ws (open)', modes.rawSingle]]) {
    const idle = mode.idle;
    out(`| ${name} | ${fmtInt(idle.count)} | ${fmtInt(idle.beforeKiB / 1024)} MiB | ${fmtInt(idle.afterKiB / 1024)} MiB | ${fmtKiB(idle.perSocketKiB)} | ${fmtRatio(idle.perSocketKiB / rawIdle.perSocketKiB)} |`);
  }
  out();
}
out(`### Relay ladder`);
out();
out('| system | offered msg/s | achieved msg/s | achieved | p50 ms | p99 ms | max ms | rtt p99 ms | server CPU | server CPU µs/msg | server waited for CPU | generator CPU | sustained |');
out('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|:-:|');
const ladderModes = [
  ['Parley, SQLite', modes.parleySqlite],
  ['Parley, SQLite [B]', modes.parleySqliteB],
  ['raw ws', modes.rawSingle],
  ['Parley, Postgres', modes.parleyPostgres],
  ['Parley, Postgres [B]', modes.parleyPostgresB],
  [`Parley, 2 nodes + Redis (${modes.parleyRedis?.store ?? '—'})`, modes.parleyRedis],
  [`Parley, 2 nodes + Redis (${modes.parleyRedisB?.store ?? '—'}) [B]`, modes.parleyRedisB],
  ['raw ws, 2 nodes + Redis', modes.rawRedis],
];
for (const [name, mode] of ladderModes) {
  if (mode?.relay === undefined) continue;
  for (const r of mode.relay.rungs) {
    out(
      `| ${name} | ${fmtInt(r.offered)} | ${fmtInt(r.achieved)} | ${Math.round(r.achievedRatio * 100)} % | ${fmtMs(r.p50Ms)} | ${fmtMs(r.p99Ms)} | ${fmtMs(r.maxMs)} | ${fmtMs(r.rttP99Ms)} | ` +
        `${r.serverCpu.map((c) => `${Math.round(c * 100)} %`).join(' + ')} | ${r.serverCpuUsPerMsg.toFixed(0)} | ${r.serverCpuWait.map((c) => `${Math.round(c * 100)} %`).join(' + ')} | ` +
        `${Math.round(r.generatorCpu * 100)} % | ${r.isSustained ? 'yes' : 'no'} |`,
    );
  }
}
out();
out(`### Modes: highest sustained rate (ratio vs raw ws in this run)`);
out();
out('| mode | highest sustained msg/s | p50 / p99 ms at that rung | vs raw ws (same topology) |');
out('|---|--:|--:|--:|');
const rawBest = bestOf(modes.rawSingle);
const rawRedisBest = bestOf(modes.rawRedis);
for (const [name, mode, floor] of [
  ['Parley, SQLite', modes.parleySqlite, rawBest],
  ['raw ws (floor)', modes.rawSingle, rawBest],
  ['Parley, Postgres', modes.parleyPostgres, rawBest],
  ['Parley, SQLite [B]', modes.parleySqliteB, rawBest],
  ['Parley, Postgres [B]', modes.parleyPostgresB, rawBest],
  [`Parley, 2 nodes + Redis (${modes.parleyRedis?.store ?? '—'})`, modes.parleyRedis, rawRedisBest],
  [`Parley, 2 nodes + Redis (${modes.parleyRedisB?.store ?? '—'}) [B]`, modes.parleyRedisB, rawRedisBest],
  ['raw ws, 2 nodes + Redis (floor)', modes.rawRedis, rawRedisBest],
]) {
  if (mode === undefined) continue; // a [B] mode without --bin-b
  if (mode.skipped !== undefined) {
    out(`| ${name} | ${mode.skipped} | — | — |`);
    continue;
  }
  const best = bestOf(mode);
  const r = best === undefined ? undefined : mode.relay.rungs.find((rung) => rung.offered === best.offered && rung.isSustained);
  out(`| ${name} | ${best === undefined ? 'none sustained' : fmtInt(best.offered)} | ${r === undefined ? '—' : `${fmtMs(r.p50Ms)} / ${fmtMs(r.p99Ms)}`} | ${best === undefined || floor === undefined ? '—' : fmtRatio(best.offered / floor.offered)} |`);
}
out();

// Targets.
const verdict = (isPass) => (isPass ? 'PASS' : 'FAIL');
const targets = [];
{
  // Both need the one-node ladders (a --modes run may leave them out).
  if (modes.parleySqlite?.relay !== undefined && modes.rawSingle?.relay !== undefined) {
    const parleyBest = bestOf(modes.parleySqlite);
    const ratio = parleyBest === undefined || rawBest === undefined ? NaN : parleyBest.offered / rawBest.offered;
    targets.push({
      target: `Parley sustained rate ≥ ${TARGETS.sustainedVsRaw * 100} % of raw ws`,
      measured: `${Number.isFinite(ratio) ? `${Math.round(ratio * 100)} %` : '—'} (${fmtInt(parleyBest?.offered)} vs ${fmtInt(rawBest?.offered)} msg/s)`,
      result: Number.isFinite(ratio) ? verdict(ratio >= TARGETS.sustainedVsRaw) : 'FAIL',
    });
    const r = rungAt(modes.parleySqlite.relay, TARGETS.p99AtRate);
    const rawR = rungAt(modes.rawSingle.relay, TARGETS.p99AtRate);
    targets.push({
      target: `Parley p99 ≤ ${TARGETS.p99Ms} ms at ${fmtInt(TARGETS.p99AtRate)} msg/s`,
      measured: r === undefined ? 'rung not run' : `${fmtMs(r.p99Ms)} ms (raw ws ${fmtMs(rawR?.p99Ms)} ms; ${Math.round(r.achievedRatio * 100)} % achieved)`,
      result: r === undefined ? 'n/a' : verdict(r.p99Ms <= TARGETS.p99Ms && r.achievedRatio >= 0.95),
    });
  }
  if (rawIdle !== undefined) {
    const rssRatio = modes.parleySqlite.idle.perSocketKiB / rawIdle.perSocketKiB;
    targets.push({
      target: `Parley RSS per idle visitor ≤ ${TARGETS.rssVsRaw} × raw ws`,
      measured: `${fmtRatio(rssRatio)} (${fmtKiB(modes.parleySqlite.idle.perSocketKiB)} vs ${fmtKiB(rawIdle.perSocketKiB)})`,
      result: verdict(rssRatio <= TARGETS.rssVsRaw),
    });
  }
  // The hop is p50 on two nodes minus p50 on one node with the same store (the two nodes run on Postgres when
  // DATABASE_URL is set, and Postgres' commit alone costs more than the hop), at the first rate both sustained. A
  // rate listed several times in --ladder runs several rounds; the hop is the median of the rounds' differences,
  // since one round's p50 moves by milliseconds when the machine is busy.
  const hop = (single, cross) => {
    for (const offered of new Set(OPTIONS.ladder)) {
      const a = single?.relay?.rungs.filter((r) => r.offered === offered) ?? [];
      const b = cross?.relay?.rungs.filter((r) => r.offered === offered) ?? [];
      const diffs = [];
      for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i].isSustained && b[i].isSustained) diffs.push(b[i].p50Ms - a[i].p50Ms);
      if (diffs.length === 0) continue;
      diffs.sort((x, y) => x - y);
      const mid = diffs.length / 2;
      const ms = diffs.length % 2 === 1 ? diffs[Math.floor(mid)] : (diffs[mid - 1] + diffs[mid]) / 2;
      return { offered, ms, rounds: diffs.length, diffs };
    }
    return undefined;
  };
  const signed = (ms) => `${ms >= 0 ? '+' : ''}${fmtMs(ms)}`;
  const rounds = (h) => (h.rounds > 1 ? `, median of ${h.rounds} rounds: ${h.diffs.map((d) => signed(d)).join(' ')}` : '');
  const rawHop = hop(modes.rawSingle, modes.rawRedis);
  const rawHopText = rawHop === undefined ? 'raw floor hop: n/a' : `raw ws floor hop: ${signed(rawHop.ms)} ms at ${fmtInt(rawHop.offered)} msg/s${rounds(rawHop)}`;
  for (const suffix of BUILDS.map((b) => b.suffix)) {
    const hopTarget = `cross-node hop via Redis adds ≤ ${TARGETS.hopP50Ms} ms at p50${suffix && ` [${suffix}]`}`;
    // Without Redis only the default build's mode records why it was skipped.
    const cross = modes[`parleyRedis${suffix}`] ?? modes.parleyRedis;
    if (cross?.skipped !== undefined) {
      targets.push({ target: hopTarget, measured: `${cross.skipped}; ${rawHopText}`, result: 'n/a' });
      continue;
    }
    const store = cross.store;
    const single = store === 'postgres' ? modes[`parleyPostgres${suffix}`] : modes[`parleySqlite${suffix}`];
    const versus = `2 nodes on ${store} − 1 node on ${store}`;
    if (single?.relay === undefined) {
      targets.push({ target: hopTarget, measured: `n/a (the one-node ${store} ladder did not run); ${rawHopText}`, result: 'n/a' });
      continue;
    }
    const parleyHop = hop(single, cross);
    targets.push({
      target: hopTarget,
      measured:
        parleyHop === undefined
          ? `no rung sustained on both (${versus}); ${rawHopText}`
          : `${signed(parleyHop.ms)} ms at ${fmtInt(parleyHop.offered)} msg/s (${versus}${rounds(parleyHop)}); ${rawHopText}`,
      result: parleyHop === undefined ? 'FAIL' : verdict(parleyHop.ms <= TARGETS.hopP50Ms),
    });
  }
}
report.targets = targets;
out('### Targets');
out();
out('| target | measured | result |');
out('|---|---|:-:|');
for (const t of targets) out(`| ${t.target} | ${t.measured} | ${t.result} |`);
out();

process.stdout.write(`${lines.join('\n')}\n`);
mkdirSync(RESULTS_DIR, { recursive: true });
const file = join(RESULTS_DIR, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify({ ...report, table: lines.join('\n') }, (k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n`);
log(`wrote ${file}`);
process.exit(0);
