// The webhook receiver of run.mjs, in its own process so its CPU is not charged to the server: answers POSTs with
// 204 and counts them; GET /count returns the count. Prints {"port":…} once listening.
import { createServer } from 'node:http';

let count = 0;
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/count') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ count }));
  req.resume();
  req.on('end', () => {
    count++;
    res.writeHead(204).end();
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
