import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The bank's push-notification service as a real HTTP peer, on an ephemeral port. It honours
 * the `Idempotency-Key` header, as the purchase flow's docs expect of it: the first POST of a
 * key shows a notification, later ones are answered alike and show nothing new.
 */
export interface NotificationPeer {
  /** The endpoint, for `NOTIFICATION_SERVICE_URL`. */
  url: string;
  /** POSTs received per purchase id (`purchaseId` of the body), whatever was answered. */
  posts: Map<string, number>;
  /** Notifications shown per purchase id: each POST under a key not seen before shows one. */
  shown: Map<string, number>;
  /** Every answer waits this long: past the app's timeout, a slow peer. 0 by default. */
  delayMs: number;
  close(): Promise<void>;
}

export async function startNotificationPeer(): Promise<NotificationPeer> {
  const posts = new Map<string, number>();
  const shown = new Map<string, number>();
  const keys = new Map<string, string>();
  let sequence = 0;
  const peer = { delayMs: 0 } as NotificationPeer;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let purchaseId = '';
      try {
        purchaseId = String(
          (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { purchaseId?: unknown })
            .purchaseId ?? '',
        );
      } catch {
        // counted under '' : a caller's bug the spec will see
      }
      posts.set(purchaseId, (posts.get(purchaseId) ?? 0) + 1);
      const key = String(req.headers['idempotency-key'] ?? `none-${++sequence}`);
      let id = keys.get(key);
      if (id === undefined) {
        id = `push-${++sequence}`;
        keys.set(key, id);
        shown.set(purchaseId, (shown.get(purchaseId) ?? 0) + 1);
      }
      // Shown at once; the answer comes late when the peer is slow, as a stalled gateway's does.
      setTimeout(() => {
        if (!res.destroyed)
          res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id }));
      }, peer.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(peer, {
    url: `http://127.0.0.1:${port}/notifications`,
    posts,
    shown,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
