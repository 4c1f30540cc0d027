/** Redis did not become ready in time: at start, or for a command while it is away. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';

  /** `where` is the server's URL with any password already redacted. */
  constructor(where: string, timeoutMs: number) {
    super(`Redis at ${where} did not answer within ${timeoutMs} ms`);
  }
}
