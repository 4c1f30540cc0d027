import { request as httpRequest } from 'node:http';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON when it is an object, else `{ text }`. */
  body: Record<string, unknown>;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as is (a string), or as JSON with `Content-Type: application/json` (anything else). */
  body?: unknown;
  /** The local address to connect from: the peer address the app sees. */
  from?: string;
}

/**
 * One HTTP request over a real connection, with nothing added or checked on the way: raw
 * bodies, any content type or none, and a chosen source address (a caller that is not the
 * gateway connects from 127.0.0.2).
 */
export function rawRequest(url: string, options: RawRequest = {}): Promise<RawAnswer> {
  const raw = typeof options.body === 'string';
  const payload =
    options.body === undefined
      ? undefined
      : raw
        ? (options.body as string)
        : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: options.method ?? 'GET',
        localAddress: options.from,
        headers: {
          ...(payload !== undefined && !raw ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: Record<string, unknown> = { text };
          if (text.startsWith('{')) {
            try {
              body = JSON.parse(text) as Record<string, unknown>;
            } catch {
              // Not JSON after all: the text is the body.
            }
          }
          resolve({ status: res.statusCode!, headers: res.headers, text, body });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
