import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** What the peer answered to a POST. */
export interface PostAnswer {
  status: number;
  /** The answer's text when it was asked for (`maxAnswerBytes` > 0), else empty. */
  body: string;
  /** The answer was longer than `maxAnswerBytes`: it was not read, and `body` is empty. */
  oversized: boolean;
}

/**
 * POSTs JSON over `node:http(s)` with kept-alive connections, and resolves with the status
 * once the answer is read. Rejects when the peer cannot be reached or does not answer within
 * `timeoutMs`. Written on the core client rather than `fetch`: the target service may get one
 * POST per record, and in the bench:import profile Node 20's fetch (bundled undici with web
 * streams and an AbortSignal per call) cost several times the CPU.
 */
export class JsonPoster {
  private readonly http = new HttpAgent({ keepAlive: true, maxSockets: 64 });
  private readonly https = new HttpsAgent({ keepAlive: true, maxSockets: 64 });

  /**
   * `maxAnswerBytes`: 0 discards the answer's body (a status is all a single POST needs);
   * above 0, the body is kept up to that size, and a longer one is cut off unread, so that a
   * peer cannot make us hold an answer of any size.
   */
  post(
    url: URL,
    headers: Record<string, string>,
    body: string,
    timeoutMs: number,
    maxAnswerBytes = 0,
  ): Promise<PostAnswer> {
    const secure = url.protocol === 'https:';
    return new Promise<PostAnswer>((resolve, reject) => {
      const req = (secure ? httpsRequest : httpRequest)(
        url,
        {
          method: 'POST',
          agent: secure ? this.https : this.http,
          headers: {
            ...headers,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.on('error', reject);
          if (maxAnswerBytes > 0) readBounded(res, maxAnswerBytes, resolve);
          else {
            res.resume();
            res.on('end', () => resolve(answer(res, '', false)));
          }
        },
      );
      // Covers the answer's body too: the request closes once the response has been read.
      const timer = setTimeout(
        () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      req.on('error', reject);
      req.on('close', () => clearTimeout(timer));
      req.end(body);
    });
  }

  /** Closes the idle kept-alive connections. */
  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

function readBounded(
  res: IncomingMessage,
  maxBytes: number,
  resolve: (answer: PostAnswer) => void,
): void {
  const cutOff = () => {
    // The connection is dropped with the rest of the answer rather than read to its end.
    res.destroy();
    resolve(answer(res, '', true));
  };
  if (Number(res.headers['content-length'] ?? 0) > maxBytes) return cutOff();
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) cutOff();
    else chunks.push(chunk);
  });
  // Decoded once whole, so a character split across chunks stays whole.
  res.on('end', () => resolve(answer(res, Buffer.concat(chunks).toString('utf8'), false)));
}

const answer = (res: IncomingMessage, body: string, oversized: boolean): PostAnswer => ({
  status: res.statusCode ?? 0,
  body,
  oversized,
});
