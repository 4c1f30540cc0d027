import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG } from '../../../config/config.module.js';
import type { AppConfig } from '../../../config/config.schema.js';
import { MicroBatcher } from '../../../platform/persistence/micro-batcher.js';
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
 * Writes records to the configured target: an idempotent upsert into the target table (the
 * records of concurrent handlers go out as one multi-row upsert) and/or a POST to the target
 * service carrying an `Idempotency-Key`, so a record written twice is still one row, one order.
 */
@Injectable()
export class TargetWriter implements OnApplicationShutdown {
  private readonly upserts = new MicroBatcher<TargetRecord>((records) => this.upsert(records));
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
   * The service first: a table row then means the record reached both. A table failure after
   * the POST retries both, and the Idempotency-Key lets the service ignore the second POST.
   */
  async write(record: TargetRecord): Promise<void> {
    if (this.httpUrl) await this.post(this.httpUrl, record);
    if (this.target.table) {
      try {
        await this.upserts.add(record);
      } catch (error) {
        throw new TargetError(
          `target table write failed: ${(error as Error).message}`,
          'target-table-unavailable',
          true,
        );
      }
    }
  }

  private async upsert(records: TargetRecord[]): Promise<void> {
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
      status = await this.poster.post(
        url,
        {
          'idempotency-key': `${record.source}:${record.key}`,
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body,
        this.target.timeoutMs,
      );
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
