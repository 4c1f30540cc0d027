import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that nothing listens on now (the OS picks it). */
export async function freePort(): Promise<number> {
  return listenable(0);
}

/**
 * A free port below Linux's ephemeral range (32768–60999), for a relay that is cut and opened
 * again: while it is cut its port is free, and the OS may hand an ephemeral one to any process
 * on the machine (other specs run beside these); a port below that range goes only to someone
 * who asks for it by number.
 */
export async function freeStablePort(): Promise<number> {
  for (;;) {
    const candidate = 20_000 + Math.floor(Math.random() * 12_000);
    const port = await listenable(candidate).catch(() => undefined);
    if (port) return port;
  }
}

async function listenable(port: number): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const bound = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return bound;
}
