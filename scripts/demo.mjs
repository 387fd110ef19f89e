// The demo as one function: the Parley server on SQLite (console, widget assets, the storefront FAQ), the seeded
// accounts, and the storefront on its own origin. `pnpm start` and the journey tests both run it, so what the
// tests drive is what a new user sees.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildIndex, compileIndex, parseFaqMarkdown } from '@parley/faq';
import { createServer } from '@parley/server';
import { startStorefront } from '../examples/storefront/serve.mjs';

const root = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));

/** The console logins `pnpm start` seeds (printed by it, listed in the README). */
export const DEMO_ACCOUNTS = [
  { name: 'Ada Admin', email: 'admin@parley.test', password: 'parley-admin', role: 'admin' },
  { name: 'Sam Agent', email: 'agent@parley.test', password: 'parley-agent', role: 'agent' },
];

/**
 * @param {{ dataDir?: string, port?: number, shopPort?: number, host?: string, logger?: import('@parley/server').Logger, routing?: import('@parley/server').RoutingOptions }} [options]
 *   port / shopPort 0 pick free ports; `routing` as createServer takes it (e.g. `{ assignment: 'auto' }`).
 */
export async function startDemo({ dataDir = root('.parley-data'), port = 8080, shopPort = 3000, host = '127.0.0.1', logger, routing } = {}) {
  mkdirSync(`${dataDir}/faq`, { recursive: true });

  // The storefront FAQ, compiled once into the file the widget downloads on first open (compiled: the widget then
  // needs only its query engine, not the builder; same as `parley-faq build --compiled`).
  const faqSource = readFileSync(root('packages/faq/fixtures/storefront-faq.md'), 'utf8');
  const faq = parseFaqMarkdown(faqSource);
  writeFileSync(`${dataDir}/faq/demo.json`, JSON.stringify(compileIndex(buildIndex(faq.entries, { synonyms: faq.synonyms }))));

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
    ...(logger === undefined ? {} : { logger }),
    ...(routing === undefined ? {} : { routing }),
  });
  const { url: parleyUrl } = await server.listen(port, host);

  for (const account of DEMO_ACCOUNTS) {
    if ((await server.storage.getAgentCredentials(account.email)) === undefined) await server.createAgent(account);
  }
  // The same FAQ as the site's saved one, so the console's FAQ editor opens on it; once saved, the server serves
  // /faq/demo.json from storage (compiled the same way) instead of the file.
  const demoSite = await server.storage.getDefaultSite();
  if ((await server.storage.getSiteFaq(demoSite.id)) === undefined) await server.storage.putSiteFaq({ siteId: demoSite.id, source: faqSource });

  let shop;
  try {
    shop = await startStorefront({ port: shopPort, host, parleyUrl });
  } catch (err) {
    await server.close({ graceMs: 0 });
    throw err;
  }
  return {
    dataDir,
    parleyUrl,
    shopUrl: shop.url,
    consoleUrl: `${parleyUrl}/console/`,
    server,
    shop,
    /** Stops both; the server drains for up to `graceMs`. */
    close: ({ graceMs = 3000 } = {}) => Promise.all([server.close({ graceMs }), shop.close()]).then(() => undefined),
  };
}
