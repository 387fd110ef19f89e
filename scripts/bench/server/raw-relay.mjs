// The floor for the server benchmark: a bare `ws` relay that forwards each frame from a visitor socket to its paired
// agent socket and back. No parsing, no auth, no persistence. With --redis it bridges nodes over Redis pub/sub.
//
//   node raw-relay.mjs --port 0 --host 127.0.0.1 [--redis redis://127.0.0.1:6379]
//   ws://host:port/visitor?pair=ID  ⇄  ws://host:port/agent?pair=ID
//
// Prints `{"event":"listening","port":…}` on stdout like parley-server. Each socket gets one `{"type":"ready"}`
// frame once it is routable (after its Redis SUBSCRIBE when bridged), the floor's equivalent of `welcome`.

import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1];
};
const port = Number(flag('port', '0'));
const host = flag('host', '127.0.0.1');
const redisUrl = flag('redis', undefined);

const PEER = { visitor: 'agent', agent: 'visitor' };
const sockets = { visitor: new Map(), agent: new Map() };
const READY = '{"type":"ready"}';

let pub;
let sub;
if (redisUrl !== undefined) {
  // ioredis is a dependency of @parley/server, not of the root; resolve it from there.
  const require = createRequire(fileURLToPath(new URL('../../../packages/server/package.json', import.meta.url)));
  const { Redis } = require('ioredis');
  pub = new Redis(redisUrl);
  sub = new Redis(redisUrl);
  // Channels are `raw:<role>:<pair>`: a frame is published to the channel of the socket that should receive it.
  sub.on('messageBuffer', (channel, payload) => {
    const [, role, pair] = String(channel).split(':');
    sockets[role]?.get(pair)?.send(payload, { binary: false });
  });
}

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 65536 + 1024 });
const server = createServer((req, res) => res.writeHead(404).end());
server.on('upgrade', (req, socket, head) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const role = url.pathname.slice(1);
  const pair = url.searchParams.get('pair');
  if (PEER[role] === undefined || pair === null) {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    const peerRole = PEER[role];
    const channel = `raw:${role}:${pair}`;
    const peerChannel = `raw:${peerRole}:${pair}`;
    sockets[role].set(pair, ws);
    ws.on('message', (data, isBinary) => {
      const peer = sockets[peerRole].get(pair);
      if (peer !== undefined) peer.send(data, { binary: isBinary });
      else if (pub !== undefined) pub.publish(peerChannel, data);
    });
    ws.on('close', () => {
      if (sockets[role].get(pair) === ws) sockets[role].delete(pair);
      sub?.unsubscribe(channel).catch(() => {
        // Shutting down or Redis gone: nothing to undo in a benchmark floor.
      });
    });
    ws.on('error', () => {
      // A reset peer; `close` follows.
    });
    if (sub === undefined) ws.send(READY);
    else sub.subscribe(channel).then(() => ws.send(READY), (err) => ws.close(1011, String(err.message).slice(0, 100)));
  });
});
server.listen(port, host, () => {
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: server.address().port, host })}\n`);
});
const stop = () => {
  for (const ws of wss.clients) ws.terminate();
  server.close();
  pub?.disconnect();
  sub?.disconnect();
  setTimeout(() => process.exit(0), 100).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
