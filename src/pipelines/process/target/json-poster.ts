import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * POSTs JSON over `node:http(s)` with kept-alive connections, and resolves with the status
 * once the answer is read (the body is discarded). Rejects when the peer cannot be reached or
 * does not answer within `timeoutMs`. Written on the core client rather than `fetch`: the
 * target service gets one POST per record, and in the bench:import profile Node 20's fetch
 * (bundled undici with web streams and an AbortSignal per call) cost several times the CPU.
 */
export class JsonPoster {
  private readonly http = new HttpAgent({ keepAlive: true, maxSockets: 64 });
  private readonly https = new HttpsAgent({ keepAlive: true, maxSockets: 64 });

  post(
    url: URL,
    headers: Record<string, string>,
    body: string,
    timeoutMs: number,
  ): Promise<number> {
    const secure = url.protocol === 'https:';
    return new Promise<number>((resolve, reject) => {
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
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
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
