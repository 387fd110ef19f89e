// Types for demo.mjs, so the TypeScript journey tests can import it.
import type { Logger, ParleyServer, RoutingOptions } from '@parley/server';
import type { Server } from 'node:http';

export interface DemoAccount {
  name: string;
  email: string;
  password: string;
  role: 'admin' | 'agent';
}

export const DEMO_ACCOUNTS: readonly DemoAccount[];

export interface Demo {
  dataDir: string;
  parleyUrl: string;
  shopUrl: string;
  consoleUrl: string;
  server: ParleyServer;
  shop: { url: string; server: Server; close(): Promise<void> };
  close(options?: { graceMs?: number }): Promise<void>;
}

export function startDemo(options?: { dataDir?: string; port?: number; shopPort?: number; host?: string; logger?: Logger; routing?: RoutingOptions }): Promise<Demo>;
