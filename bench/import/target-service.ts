/**
 * The import's target service for the bench, run in a child process of its own so that its
 * CPU and memory are not the application's: a `node:http` server that answers 503 to the
 * first POST of every chosen record (a transient failure) and 201 otherwise. A POST without
 * an `Idempotency-Key` header is a bulk one, `{"records":[{"idempotencyKey", …}, …]}`,
 * answered 200 `{"results":[{"status"}, …]}` by the same rule per record.
 *
 * Parent → child (IPC): { failEvery } at start; 'stats' → { posts, unavailable, accepted,
 * duplicates }: HTTP POSTs, then records.
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

/** The status a record gets now; counted as unavailable, accepted or a duplicate. */
function receive(key: string): number {
  if (failsFirst(key) && !failedOnce.has(key)) {
    failedOnce.add(key);
    unavailable++;
    return 503;
  }
  if (accepted.has(key)) duplicates++;
  else accepted.add(key);
  return 201;
}

function answerBulk(text: string): [number, string] {
  let records: unknown;
  try {
    records = (JSON.parse(text) as { records?: unknown }).records;
  } catch {
    // Not a JSON object: refused below.
  }
  if (!Array.isArray(records)) return [400, '{"error":"expected a records array"}'];
  const results = records.map((r: { idempotencyKey?: unknown }) => ({
    status: receive(String(r?.idempotencyKey ?? '')),
  }));
  return [200, JSON.stringify({ results })];
}

const server = createServer((req, res) => {
  const key = req.headers['idempotency-key'];
  if (key !== undefined) {
    // One record: its body is not needed, as before bulk POSTs existed.
    req.resume();
    req.on('end', () => {
      posts++;
      const status = receive(String(key));
      res
        .writeHead(status, { 'content-type': 'application/json' })
        .end(status === 201 ? '{}' : '{"error":"busy"}');
    });
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    posts++;
    const [status, body] = answerBulk(Buffer.concat(chunks).toString('utf8'));
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
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
