import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { InjectConfig } from '../../../../../platform/config/index.js';
import { type TargetConfig, targetConfig } from '../process.config.js';
import {
  retryOnDeadlock,
  sqlTimestamp,
  upsertRows,
} from '../../../../../platform/persistence/index.js';
import type { TargetRecord } from '../business-rule.js';
import { TargetError } from './target-error.js';
import { TargetServiceClient } from './target-service-client.js';

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
 * Writes a batch of records to the configured target: to the target service, each record with
 * an idempotency key (see TargetServiceClient), and/or one idempotent multi-row upsert into the
 * target table; so a record written twice is still one row, one order.
 */
@Injectable()
export class TargetWriter implements OnApplicationShutdown {
  private readonly target: TargetConfig;
  private readonly service?: TargetServiceClient;

  constructor(
    @InjectConfig(targetConfig) target: TargetConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.target = target;
    this.service = this.target.httpUrl
      ? new TargetServiceClient(new URL(this.target.httpUrl), this.target)
      : undefined;
  }

  /**
   * Resolves with each record's failure, or `undefined` where it was written. The service
   * first: a table row then means the record reached both. A table failure after the POST
   * retries both, and the idempotency key lets the service ignore the second POST.
   */
  async write(records: TargetRecord[]): Promise<(TargetError | undefined)[]> {
    const failures: (TargetError | undefined)[] = this.service
      ? await this.service.send(records)
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
    const now = sqlTimestamp(new Date());
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

  /** After the bus has drained (beforeApplicationShutdown): a POST in flight must end normally. */
  onApplicationShutdown(): void {
    this.service?.close();
  }
}

const noFailure = (): undefined => undefined;
