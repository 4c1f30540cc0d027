import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the ITSM peer received it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** What the peer answers: a status and a JSON (or text) body, or no answer at all. */
export type ItsmReply = { status: number; body?: unknown } | 'hang';

export interface ItsmPeer {
  /** The incident endpoint, like ServiceNow's `/api/now/table/incident`. */
  url: string;
  received: ReceivedRequest[];
  /** Sets how the next requests are answered; by default 201 with a new incident number. */
  reply(answer: ItsmReply | ((request: ReceivedRequest) => ItsmReply)): void;
  /** Back to the default answer, and forgets the requests received. */
  reset(): void;
  close(): Promise<void>;
}

/** A real HTTP server on an ephemeral port that plays ServiceNow's Table API, for specs. */
export async function startItsmPeer(): Promise<ItsmPeer> {
  const received: ReceivedRequest[] = [];
  let sequence = 10000;
  const created = (): ItsmReply => {
    sequence += 1;
    return {
      status: 201,
      body: { result: { number: `INC00${sequence}`, sys_id: `sys-${sequence}` } },
    };
  };
  let answer: (request: ReceivedRequest) => ItsmReply = created;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // kept as text: the spec asserts on it
      }
      const request: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
      };
      received.push(request);
      const reply = answer(request);
      if (reply === 'hang') return;
      const payload =
        typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(payload);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/api/now/table/incident`,
    received,
    reply: (next) => {
      answer = typeof next === 'function' ? next : next === 'hang' ? () => 'hang' : () => next;
    },
    reset: () => {
      answer = created;
      received.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
