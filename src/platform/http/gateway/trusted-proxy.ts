import type { Request } from 'express';

/**
 * Whether the connection itself comes from an address in `http.trustedProxies`: Express's
 * compiled `trust proxy` check on the socket's peer, so that headers a caller wrote are never
 * taken for the gateway's.
 */
export function fromTrustedProxy(req: Request): boolean {
  const trust = req.app.get('trust proxy fn') as
    ((address: string, hop: number) => boolean) | undefined;
  const peer = req.socket.remoteAddress;
  return peer !== undefined && trust?.(peer, 0) === true;
}
