import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG } from '../../../config/config.module.js';
import type { AppConfig } from '../../../config/config.schema.js';
import { upsertRows } from '../../../platform/persistence/multi-row.js';
import { retryOnDeadlock } from '../../../platform/persistence/retry-on-deadlock.js';
import type { TargetRecord } from '../business-rule.js';
import { JsonPoster } from './json-poster.js';
import { TargetError } from './target-error.js';

const TARGET_COLUMNS = [
  'source',
  'record_key',
  'name',
  'email',
  'amount_cents',
  'import_id',
  'updated_at',
] as const;

/**
 * Writes a batch of records to the configured target: a POST per record to the target service
 * carrying an `Idempotency-Key` (services of this kind take one record at a time), and/or one
 * idempotent multi-row upsert into the target table; so a record written twice is still one
 * row, one order.
 */
@Injectable()
export class TargetWriter implements OnApplicationShutdown {
  private readonly target: AppConfig['importFlow']['target'];
  private readonly httpUrl?: URL;
  private readonly poster = new JsonPoster();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.target = config.importFlow.target;
    this.httpUrl = this.target.httpUrl ? new URL(this.target.httpUrl) : undefined;
  }

  /**
   * Resolves with each record's failure, or `undefined` where it was written. The service
   * first: a table row then means the record reached both. A table failure after the POST
   * retries both, and the Idempotency-Key lets the service ignore the second POST.
   */
  async write(records: TargetRecord[]): Promise<(TargetError | undefined)[]> {
    const url = this.httpUrl;
    const failures: (TargetError | undefined)[] = url
      ? await Promise.all(records.map((r) => this.post(url, r).then(noFailure, asTargetError)))
      : records.map(noFailure);
    if (this.target.table) {
      const posted = records.filter((_, i) => failures[i] === undefined);
      try {
        await this.upsert(posted);
      } catch (error) {
        const failure = new TargetError(
          `target table write failed: ${(error as Error).message}`,
          'target-table-unavailable',
          true,
        );
        return failures.map((f) => f ?? failure);
      }
    }
    return failures;
  }

  private async upsert(records: TargetRecord[]): Promise<void> {
    if (records.length === 0) return;
    // One row per key: the last write of a batch wins, as it would one by one.
    const unique = new Map(records.map((r) => [`${r.source}\u0000${r.key}`, r]));
    // UTC text in the form both MySQL DATETIME(3) and TypeORM's SQLite dates take.
    const now = new Date().toISOString().replace('T', ' ').slice(0, 23);
    const rows = [...unique.values()].map((r) => [
      r.source,
      r.key,
      r.name,
      r.email,
      r.amountCents,
      r.importId,
      now,
    ]);
    await retryOnDeadlock(() =>
      upsertRows(
        this.dataSource,
        this.target.table!,
        TARGET_COLUMNS,
        rows,
        ['source', 'record_key'],
        TARGET_COLUMNS.slice(2),
      ),
    );
  }

  private async post(url: URL, record: TargetRecord): Promise<void> {
    const token = this.target.tokenEnv ? process.env[this.target.tokenEnv] : undefined;
    const body = JSON.stringify({
      source: record.source,
      key: record.key,
      name: record.name,
      email: record.email,
      amountCents: record.amountCents,
      importId: record.importId,
    });
    let status: number;
    try {
      ({ status } = await this.poster.post(
        url,
        {
          'idempotency-key': `${record.source}:${record.key}`,
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body,
        this.target.timeoutMs,
      ));
    } catch (error) {
      throw new TargetError(
        `target service did not answer: ${(error as Error).message}`,
        'target-unavailable',
        true,
      );
    }
    if (status >= 200 && status < 300) return;
    // Busy, throttled or broken may pass; any other refusal is about the data.
    const retriable = status >= 500 || status === 408 || status === 429;
    throw new TargetError(
      `target service answered HTTP ${status}`,
      retriable ? `target-http-${status}` : 'target-rejected',
      retriable,
    );
  }

  /** After the bus has drained (beforeApplicationShutdown): a POST in flight must end normally. */
  onApplicationShutdown(): void {
    this.poster.close();
  }
}

const noFailure = (): undefined => undefined;

function asTargetError(error: unknown): TargetError {
  return error instanceof TargetError
    ? error
    : new TargetError((error as Error).message ?? String(error), 'target-write-failed', true);
}
