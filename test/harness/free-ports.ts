import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Where every server, relay and app of the harness listens: loopback only. */
export const HOST = '127.0.0.1';

/** The lowest port the harness hands out: clear of the well-known and registered low ports. */
const LOWEST = 20_000;
/** Where a Redis Cluster node talks to the others: its port + 10000. */
const CLUSTER_BUS_OFFSET = 10_000;

const handedOut = new Set<number>();

/**
 * A loopback port nothing listens on, never the same twice in this process, and below the
 * kernel's ephemeral range (`ip_local_port_range`, 32768 by default). The harness cuts relays
 * and restarts servers and apps on the same port: while one is down its port is free, and the
 * kernel hands ephemeral ports to any process on the machine (outgoing connections, `listen(0)`
 * of other specs); a port below that range goes only to whoever asks for it by number. That
 * once happened: a cut relay's port was taken by another process before it opened again. With
 * `clusterBus`, port + 10000 (where a Redis Cluster node talks to the others) is free too.
 */
export async function freePort(options: { clusterBus?: boolean } = {}): Promise<number> {
  const offset = options.clusterBus ? CLUSTER_BUS_OFFSET : 0;
  const highest = ephemeralStart() - 1 - offset;
  for (let tries = 0; tries < 200; tries++) {
    const port = LOWEST + Math.floor(Math.random() * (highest - LOWEST + 1));
    if (handedOut.has(port) || handedOut.has(port + offset)) continue;
    if (!(await canBind(port))) continue;
    if (offset > 0 && !(await canBind(port + offset))) continue;
    handedOut.add(port).add(port + offset);
    return port;
  }
  throw new Error(`found no free loopback port between ${LOWEST} and ${highest} in 200 tries`);
}

/** The first port of the kernel's ephemeral range (Linux's default when it cannot be read). */
function ephemeralStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/);
    const start = Number(low);
    return Number.isInteger(start) && start > LOWEST + 2 * CLUSTER_BUS_OFFSET ? start : 32_768;
  } catch {
    return 32_768;
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: HOST, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
