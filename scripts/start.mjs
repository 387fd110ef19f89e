// `pnpm start`: the whole demo on one machine with nothing but Node: the Parley server on SQLite (console, widget
// assets, the seeded storefront FAQ), seeded admin and agent accounts, and the demo storefront on its own origin.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildIndex, parseFaqMarkdown } from '@parley/faq';
import { createServer } from '@parley/server';
import { startStorefront } from '../examples/storefront/serve.mjs';

const root = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const dataDir = process.env.PARLEY_DATA_DIR ?? root('.parley-data');
const port = Number(process.env.PARLEY_PORT ?? 8080);
const shopPort = Number(process.env.STOREFRONT_PORT ?? 3000);
const host = process.env.PARLEY_HOST ?? '127.0.0.1';

mkdirSync(`${dataDir}/faq`, { recursive: true });

// The storefront FAQ, built once into the index the widget downloads on first open.
const faq = parseFaqMarkdown(readFileSync(root('packages/faq/fixtures/storefront-faq.md'), 'utf8'));
writeFileSync(`${dataDir}/faq/demo.json`, JSON.stringify(buildIndex(faq.entries, { synonyms: faq.synonyms }).toJSON()));

// A stable signing key, so visitor tokens survive restarts of the demo.
const secretFile = `${dataDir}/secret`;
let secret;
try {
  secret = readFileSync(secretFile, 'utf8').trim();
} catch {
  secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
  writeFileSync(secretFile, secret, { mode: 0o600 });
}

const server = createServer({
  dbPath: `${dataDir}/parley.db`,
  secret,
  consoleDir: root('packages/console/dist'),
  assetDirs: { '/widget/': root('packages/widget/dist'), '/faq/': `${dataDir}/faq` },
});
const { url } = await server.listen(port, host);

const accounts = [
  { name: 'Ada Admin', email: 'admin@parley.test', password: 'parley-admin', role: 'admin' },
  { name: 'Sam Agent', email: 'agent@parley.test', password: 'parley-agent', role: 'agent' },
];
for (const account of accounts) {
  if ((await server.storage.getAgentCredentials(account.email)) === undefined) await server.createAgent(account);
}

const shop = await startStorefront({ port: shopPort, host, parleyUrl: url });

console.log(`
Parley is running (SQLite at ${dataDir}/parley.db).

  Storefront (shopper)   ${shop.url}
  Agent console          ${url}/console/
  Server health          ${url}/healthz

Console logins:
  admin   admin@parley.test / parley-admin
  agent   agent@parley.test / parley-agent

Ask the chat bubble a question ("how long does delivery take?"), or something it can't answer to reach an agent.
Ctrl+C stops everything.
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    if (stopping) process.exit(1);
    stopping = true;
    await Promise.all([server.close({ graceMs: 3000 }), shop.close()]);
    process.exit(0);
  });
}
