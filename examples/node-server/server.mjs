// An existing Node HTTP app that embeds Parley: the app keeps its own routes; Parley takes the WebSocket upgrades
// on its own (/ws/visitor, /ws/agent) and the app hands it the HTTP paths it owns.

import http from 'node:http';
import { createServer } from '@parley/server';

const PARLEY_PATHS = ['/healthz', '/readyz', '/metrics', '/api/', '/console/', '/widget/', '/uploads/'];

const app = http.createServer((req, res) => {
  if (PARLEY_PATHS.some((p) => req.url === p || req.url?.startsWith(p))) {
    parley.handleRequest(req, res);
    return;
  }
  // The app's own routes.
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('Hello from the host app. Parley lives at /ws/*.\n');
});

const parley = createServer({
  httpServer: app,
  dbPath: process.env.PARLEY_DB ?? './parley.db',
  secret: process.env.PARLEY_SECRET, // set one in production so visitor tokens survive restarts
});

const port = Number(process.env.PORT ?? 8081);
app.listen(port, '127.0.0.1', () => console.log(`host app with Parley on http://127.0.0.1:${port}`));

process.on('SIGTERM', async () => {
  await parley.close({ graceMs: 5000 }); // drains and closes sockets with 1001; the app's server is ours to close
  app.close();
});
