// Entry of the `parley-server` bin (bin/parley-server.mjs imports the built file). Runs on import, by design.

import { runCli } from './run-cli.js';

runCli(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr, signals: process }).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${JSON.stringify({ t: Date.now(), level: 'error', event: 'server.crashed', errorMessage: String(err) })}\n`);
    process.exit(1);
  },
);
