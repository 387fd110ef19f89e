// CPU per webhook POST: fetch (undici) against node:http with a keep-alive agent, the two ways webhooks.ts could
// send. 2,000 POSTs (20 batches of 100 concurrent) to receiver.mjs in a child process, alternating, 3 runs each;
// process CPU time (user + system) divided by POSTs. Prints a table with the ratio, writes results/post-cost-*.json.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env.RUNS ?? 3);
const child = spawn(process.execPath, [join(here, 'receiver.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(JSON.parse(String(d)).port)));
const url = `http://127.0.0.1:${port}/hooks`;
// A typical message.created delivery.
const body = JSON.stringify({ id: 'wh_00000000-0000-0000-0000-000000000000', event: 'message.created', createdAt: Date.now(), data: { message: { conversationId: 'c_x', seq: 1, clientId: 'm1', author: { role: 'visitor', id: 'v_x' }, kind: 'text', text: 'x'.repeat(120), at: Date.now() } } });
const headers = { 'content-type': 'application/json', 'parley-signature': `t=1,v1=${'0'.repeat(64)}` };
const agent = new Agent({ keepAlive: true, maxSockets: 16 });

const viaHttp = () =>
  new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
const viaFetch = async () => {
  const res = await fetch(url, { method: 'POST', headers, body });
  await res.arrayBuffer();
  return res.status;
};

const POSTS = 2000;
const samples = { fetch: [], http: [] };
for (let run = 0; run <= RUNS; run++) {
  for (const [name, send] of [['fetch', viaFetch], ['http', viaHttp]]) {
    const cpu0 = process.cpuUsage();
    for (let batch = 0; batch < POSTS / 100; batch++) {
      const statuses = await Promise.all(Array.from({ length: 100 }, send));
      if (statuses.some((s) => s !== 204)) throw new Error(`unexpected status ${statuses.find((s) => s !== 204)}`);
    }
    const cpu = process.cpuUsage(cpu0);
    if (run > 0) samples[name].push((cpu.user + cpu.system) / POSTS); // run 0 warms up
  }
}
child.kill('SIGTERM');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f = median(samples.fetch);
const h = median(samples.http);
const table = [
  `CPU per webhook POST (sender process), ${POSTS} POSTs per run, median of ${RUNS}`,
  '',
  '| sender | µs CPU / POST | ratio to fetch |',
  '|---|---|---|',
  `| fetch (undici) | ${f.toFixed(0)} | 1.00 |`,
  `| node:http, keep-alive agent (what webhooks.ts uses) | ${h.toFixed(0)} | ${(h / f).toFixed(2)} |`,
].join('\n');
console.log(table);
mkdirSync(join(here, 'results'), { recursive: true });
const file = join(here, 'results', `post-cost-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ posts: POSTS, samples, fetchUs: f, httpUs: h, ratio: h / f, table }, null, 2));
console.log(`\nwrote ${file}`);
