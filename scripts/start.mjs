// `pnpm start`: the whole demo on one machine with nothing but Node (see demo.mjs), its URLs and logins printed,
// and a clean stop on Ctrl+C.

import { fileURLToPath } from 'node:url';
import { DEMO_ACCOUNTS, startDemo } from './demo.mjs';

let demo;
try {
  demo = await startDemo({
    dataDir: process.env.PARLEY_DATA_DIR ?? fileURLToPath(new URL('../.parley-data', import.meta.url)),
    port: Number(process.env.PARLEY_PORT ?? 8080),
    shopPort: Number(process.env.STOREFRONT_PORT ?? 3000),
    host: process.env.PARLEY_HOST ?? '127.0.0.1',
  });
} catch (err) {
  if (err?.code !== 'EADDRINUSE') throw err;
  // The most common first-run failure: say which port and how to pick another, without a stack trace.
  console.error(`pnpm start: port ${err.port} is already in use (another Parley, or another app).
Stop it, or choose other ports: PARLEY_PORT=8090 STOREFRONT_PORT=3010 pnpm start`);
  process.exit(1);
}

console.log(`
Parley is running (SQLite at ${demo.dataDir}/parley.db).

  Storefront (shopper)   ${demo.shopUrl}
  Agent console          ${demo.consoleUrl}
  Server health          ${demo.parleyUrl}/healthz

Console logins:
${DEMO_ACCOUNTS.map((a) => `  ${a.role.padEnd(7)} ${a.email} / ${a.password}`).join('\n')}

Ask the chat bubble a question ("how long does delivery take?"), or something it can't answer to reach an agent.
Ctrl+C stops everything.
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    if (stopping) process.exit(1);
    stopping = true;
    await demo.close({ graceMs: 3000 });
    process.exit(0);
  });
}
