// A small real `ws` client for the server's tests: collects frames, awaits by predicate or ref. Test-only.

import { WebSocket } from 'ws';
import { PROTOCOL_VERSION, type ServerFrame } from '@parley/protocol';

export interface TestClient {
  ws: WebSocket;
  frames: ServerFrame[];
  /** Sends an object (as JSON) or a raw string. */
  send(frame: unknown): void;
  /** The first frame (already received or future) matching `match` that was not yet taken. */
  next(match?: (f: ServerFrame) => boolean, timeoutMs?: number): Promise<ServerFrame>;
  /** Sends a frame with a fresh ref and waits for the frame that echoes it. */
  request(frame: Record<string, unknown>, timeoutMs?: number): Promise<ServerFrame & { ref?: string }>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

let refCounter = 0;
export const nextRef = (): string => `r${++refCounter}`;

export async function connectClient(url: string, path: '/ws/visitor' | '/ws/agent' | string, headers: Record<string, string> = {}): Promise<TestClient> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}${path}`, { headers });
  const frames: ServerFrame[] = [];
  const taken = new Set<ServerFrame>();
  const waiters: Array<{ match: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }> = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as ServerFrame;
    frames.push(frame);
    const i = waiters.findIndex((w) => w.match(frame));
    if (i !== -1) {
      taken.add(frame);
      waiters.splice(i, 1)[0]!.resolve(frame);
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) }));
  });
  ws.on('error', () => {
    // Surfaced through `closed` (and the open promise below); tests assert on close codes.
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  const client: TestClient = {
    ws,
    frames,
    send(frame) {
      ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
    },
    next(match = () => true, timeoutMs = 5000) {
      const found = frames.find((f) => !taken.has(f) && match(f));
      if (found !== undefined) {
        taken.add(found);
        return Promise.resolve(found);
      }
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve: (f: ServerFrame) => (clearTimeout(timer), resolve(f)) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`timed out waiting for a frame; got ${JSON.stringify(frames.slice(-5))}`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    async request(frame, timeoutMs) {
      const ref = nextRef();
      client.send({ ...frame, ref });
      return client.next((f) => 'ref' in f && f.ref === ref, timeoutMs);
    },
    closed,
    close() {
      ws.close();
    },
  };
  return client;
}

/** Connects and says hello; returns the client and its welcome. */
export async function connectVisitor(url: string, hello: Record<string, unknown> = {}) {
  const client = await connectClient(url, '/ws/visitor');
  const welcome = await client.request({ type: 'hello', v: PROTOCOL_VERSION, role: 'visitor', ...hello });
  if (welcome.type !== 'welcome') throw new Error(`hello failed: ${JSON.stringify(welcome)}`);
  return { client, welcome };
}

export async function connectAgent(url: string, token: string) {
  const client = await connectClient(url, '/ws/agent');
  const welcome = await client.request({ type: 'hello', v: PROTOCOL_VERSION, role: 'agent', token });
  if (welcome.type !== 'welcome') throw new Error(`hello failed: ${JSON.stringify(welcome)}`);
  return { client, welcome };
}
