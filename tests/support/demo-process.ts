// Runs `node scripts/start.mjs` (what `pnpm start` runs after the build) as a child process on a data folder, so a
// test can kill -9 the whole demo and start it again on the same SQLite file and the same Parley port.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export const START_SCRIPT = fileURLToPath(new URL('../../scripts/start.mjs', import.meta.url));

export interface DemoProcess {
  parleyUrl: string;
  shopUrl: string;
  consoleUrl: string;
  child: ChildProcess;
  /** SIGKILL: no drain, no goodbye. */
  kill(): Promise<void>;
  /** SIGTERM: the graceful stop Ctrl+C gives. */
  stop(): Promise<void>;
}

/** A port that was free a moment ago, so a restarted demo can listen where the pages already point. */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Starts the demo and resolves once it has printed its URLs (the banner a new user reads). */
export async function startDemoProcess(options: { dataDir: string; port: number; shopPort?: number }): Promise<DemoProcess> {
  const child = spawn(process.execPath, [START_SCRIPT], {
    env: {
      ...process.env,
      PARLEY_DATA_DIR: options.dataDir,
      PARLEY_PORT: String(options.port),
      STOREFRONT_PORT: String(options.shopPort ?? 0),
      PARLEY_HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr = (stderr + String(chunk)).slice(-4000);
  });
  const urls = await new Promise<{ shopUrl: string; consoleUrl: string; parleyUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not start in 20 s; stderr:\n${stderr}`)), 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`demo exited with ${code}; stderr:\n${stderr}`));
    });
    child.stdout!.on('data', (chunk) => {
      stdout += String(chunk);
      const shop = /Storefront \(shopper\)\s+(\S+)/.exec(stdout)?.[1];
      const consoleUrl = /Agent console\s+(\S+)/.exec(stdout)?.[1];
      const health = /Server health\s+(\S+)\/healthz/.exec(stdout)?.[1];
      if (shop && consoleUrl && health) {
        clearTimeout(timer);
        resolve({ shopUrl: shop, consoleUrl, parleyUrl: health });
      }
    });
  });
  const exited = once(child, 'exit');
  return {
    ...urls,
    child,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
