import type { TargetConfig } from '../process.config.js';
import type { TargetRecord } from '../business-rule.js';
import { MAX_BULK_ANSWER_BYTES, readBulkAnswer } from './bulk-answer.js';
import { JsonPoster } from './json-poster.js';
import { TargetError } from './target-error.js';
import { statusFailure } from './target-status.js';

type Failures = (TargetError | undefined)[];

/**
 * Sends records to the target service, each with an idempotency key `<source>:<key>` so that
 * a record sent twice is written once. With `httpBatchSize` 1, a POST per record carrying the
 * key in an `Idempotency-Key` header (services of this kind take one record at a time); above
 * 1, the records go in chunks of that many to a bulk endpoint, each record carrying its key,
 * and the answer gives a status per record (see bulk-answer.ts). Either way, concurrently.
 */
export class TargetServiceClient {
  private readonly poster = new JsonPoster();

  constructor(
    private readonly url: URL,
    private readonly target: TargetConfig,
  ) {}

  /** Resolves with each record's failure, or `undefined` where the service took it. */
  async send(records: TargetRecord[]): Promise<Failures> {
    const size = this.target.httpBatchSize;
    if (size === 1) return Promise.all(records.map((r) => this.postOne(r)));
    const chunks: TargetRecord[][] = [];
    for (let i = 0; i < records.length; i += size) chunks.push(records.slice(i, i + size));
    return (await Promise.all(chunks.map((chunk) => this.postChunk(chunk)))).flat();
  }

  private async postOne(record: TargetRecord): Promise<TargetError | undefined> {
    try {
      const { status } = await this.poster.post(
        this.url,
        { 'idempotency-key': idempotencyKey(record), ...this.authorization() },
        JSON.stringify(fields(record)),
        this.target.timeoutMs,
      );
      return statusFailure(status);
    } catch (error) {
      return unavailable(error);
    }
  }

  private async postChunk(chunk: TargetRecord[]): Promise<Failures> {
    const body = JSON.stringify({
      records: chunk.map((r) => ({ idempotencyKey: idempotencyKey(r), ...fields(r) })),
    });
    try {
      const answer = await this.poster.post(
        this.url,
        this.authorization(),
        body,
        this.target.timeoutMs,
        MAX_BULK_ANSWER_BYTES,
      );
      return readBulkAnswer(answer, chunk.length);
    } catch (error) {
      return Array<TargetError>(chunk.length).fill(unavailable(error));
    }
  }

  /** Read at every POST: a rotated token is used without a restart. */
  private authorization(): Record<string, string> {
    const token = this.target.tokenEnv ? process.env[this.target.tokenEnv] : undefined;
    return token ? { authorization: `Bearer ${token}` } : {};
  }

  /** Closes the idle kept-alive connections. */
  close(): void {
    this.poster.close();
  }
}

const idempotencyKey = (record: TargetRecord): string => `${record.source}:${record.key}`;

/** What the service gets of a record, in a POST of its own or as an item of a bulk POST. */
const fields = (r: TargetRecord) => ({
  source: r.source,
  key: r.key,
  name: r.name,
  email: r.email,
  amountCents: r.amountCents,
  importId: r.importId,
});

/** No answer (unreachable, reset, timed out): it may come next time. */
const unavailable = (error: unknown): TargetError =>
  new TargetError(
    `target service did not answer: ${(error as Error).message}`,
    'target-unavailable',
    true,
  );
