// A TCP proxy that injects network faults between real clients and a real server: drops, cuts mid-frame, closes
// during the handshake, and follows the server to a new port after a restart.

import net from 'node:net';

export type Fault = 'reset' | 'cut-mid-frame' | 'close-in-handshake';

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  /** Bytes the server has sent on this connection; 0 means the WebSocket upgrade has not been answered yet. */
  bytesFromServer: number;
}

export interface FaultProxy {
  port: number;
  /** Points new connections at another server port (after a restart). */
  retarget(port: number): void;
  /** Injects one fault on the live connections (or the next one, for handshake faults). Returns how many it hit. */
  inject(fault: Fault): number;
  counts: Record<Fault, number>;
  /** Connections currently proxied. */
  liveConnections(): number;
  close(): Promise<void>;
}

export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  let target = targetPort;
  const pairs = new Set<Pair>();
  const counts: Record<Fault, number> = { reset: 0, 'cut-mid-frame': 0, 'close-in-handshake': 0 };
  let armedHandshakeCloses = 0;
  let armedCuts = 0;

  const kill = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.resetAndDestroy();
    pair.upstream.destroy();
  };

  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    const pair: Pair = { client, upstream, bytesFromServer: 0 };
    pairs.add(pair);
    const closeAll = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', closeAll);
    upstream.on('error', closeAll);
    client.on('close', closeAll);
    upstream.on('close', closeAll);
    client.on('data', (chunk) => {
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    client.on('drain', () => upstream.resume());
    upstream.on('data', (chunk: Buffer) => {
      const isFirst = pair.bytesFromServer === 0;
      pair.bytesFromServer += chunk.length;
      if (isFirst && armedHandshakeCloses > 0) {
        // The server accepted the upgrade; the client never sees it complete.
        armedHandshakeCloses--;
        counts['close-in-handshake']++;
        kill(pair);
        return;
      }
      if (!isFirst && armedCuts > 0 && chunk.length > 2) {
        // Deliver part of a WebSocket frame, then vanish.
        armedCuts--;
        counts['cut-mid-frame']++;
        client.write(chunk.subarray(0, Math.max(1, chunk.length >> 1)), () => kill(pair));
        return;
      }
      if (!client.write(chunk)) upstream.pause();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    counts,
    liveConnections: () => pairs.size,
    retarget(next) {
      target = next;
    },
    inject(fault) {
      if (fault === 'close-in-handshake') {
        armedHandshakeCloses++;
        // Force a reconnect so the armed fault meets a handshake soon.
        for (const pair of [...pairs]) kill(pair);
        return 1;
      }
      if (fault === 'cut-mid-frame') {
        armedCuts++;
        return 1;
      }
      const hit = pairs.size;
      for (const pair of [...pairs]) kill(pair);
      if (hit > 0) counts.reset++;
      return hit;
    },
    async close() {
      for (const pair of [...pairs]) kill(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
