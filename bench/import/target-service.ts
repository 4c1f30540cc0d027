/**
 * The import's target service for the bench, run in a child process of its own so that its
 * CPU and memory are not the application's: a `node:http` server that answers 503 to the
 * first POST of every chosen record (a transient failure) and 201 otherwise.
 *
 * Parent → child (IPC): { failEvery } at start; 'stats' → { posts, unavailable, accepted }.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const failEvery = Number(process.env.BENCH_FAIL_EVERY ?? 0);
const failedOnce = new Set<string>();
const accepted = new Set<string>();
let posts = 0;
let unavailable = 0;
let duplicates = 0;

/** Keys look like `bench:<id>`; every `failEvery`-th id of the `bench` source fails once. */
function failsFirst(key: string): boolean {
  if (failEvery <= 0 || !key.startsWith('bench:')) return false;
  return Number(key.slice(6)) % failEvery === 0;
}

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    posts++;
    const key = String(req.headers['idempotency-key'] ?? '');
    if (failsFirst(key) && !failedOnce.has(key)) {
      failedOnce.add(key);
      unavailable++;
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"busy"}');
      return;
    }
    if (accepted.has(key)) duplicates++;
    else accepted.add(key);
    res.writeHead(201, { 'content-type': 'application/json' }).end('{}');
  });
});
server.keepAliveTimeout = 30_000;

server.listen(0, '127.0.0.1', () => {
  process.send!({ port: (server.address() as AddressInfo).port });
});
process.on('message', (message) => {
  if (message === 'stats')
    process.send!({ posts, unavailable, accepted: accepted.size, duplicates });
  if (message === 'stop') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
