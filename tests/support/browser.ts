// Debian's Chromium driven by playwright-core. Outside CI a machine without Chromium or without a build skips the
// browser suites (with the reason in the suite name); in CI (`.ci/run` sets CI=1 and installs Chromium) a missing
// browser or build is a failure, so a broken set-up can never pass as "skipped".
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Why browser suites cannot run here, or undefined when they can. Throws in CI instead of returning a reason. */
export function browserSkipReason(requiredFiles: string[] = []): string | undefined {
  const missing = [CHROMIUM, ...requiredFiles].filter((f) => !existsSync(f));
  if (missing.length === 0) return undefined;
  const reason = `missing ${missing.join(', ')} (install chromium; run pnpm build)`;
  if (process.env.CI) throw new Error(`browser tests cannot run in CI: ${reason}`);
  return reason;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}
