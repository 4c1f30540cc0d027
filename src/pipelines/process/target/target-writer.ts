import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG } from '../../../config/config.module.js';
import type { AppConfig } from '../../../config/config.schema.js';
import { MicroBatcher } from '../../../platform/persistence/micro-batcher.js';
import type { TargetRecord } from '../business-rule.js';
import { TargetError } from './target-error.js';

/**
 * Writes records to the configured target: an idempotent upsert into the target table (the
 * records of concurrent handlers go out as one multi-row upsert) and/or a POST to the target
 * service carrying an `Idempotency-Key`, so a record written twice is still one row, one order.
 */
@Injectable()
export class TargetWriter {
  private readonly upserts = new MicroBatcher<TargetRecord>((records) => this.upsert(records));
  private readonly target: AppConfig['importFlow']['target'];

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.target = config.importFlow.target;
  }

  /**
   * The service first: a table row then means the record reached both. A table failure after
   * the POST retries both, and the Idempotency-Key lets the service ignore the second POST.
   */
  async write(record: TargetRecord): Promise<void> {
    if (this.target.httpUrl) await this.post(this.target.httpUrl, record);
    if (this.target.table) {
      try {
        await this.upserts.add(record);
      } catch (error) {
        throw new TargetError(`target table write failed: ${(error as Error).message}`, 'target-table-unavailable', true);
      }
    }
  }

  private async upsert(records: TargetRecord[]): Promise<void> {
    // One row per key: the last write of a batch wins, as it would one by one.
    const rows = [...new Map(records.map((r) => [`${r.source}\u0000${r.key}`, r])).values()].map((r) => ({
      source: r.source,
      record_key: r.key,
      name: r.name,
      email: r.email,
      amount_cents: r.amountCents,
      import_id: r.importId,
      updated_at: new Date(),
    }));
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(this.target.table!, ['source', 'record_key', 'name', 'email', 'amount_cents', 'import_id', 'updated_at'])
      .values(rows)
      .orUpdate(['name', 'email', 'amount_cents', 'import_id', 'updated_at'], ['source', 'record_key'])
      .execute();
  }

  private async post(url: string, record: TargetRecord): Promise<void> {
    const token = this.target.tokenEnv ? process.env[this.target.tokenEnv] : undefined;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': `${record.source}:${record.key}`,
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({
          source: record.source,
          key: record.key,
          name: record.name,
          email: record.email,
          amountCents: record.amountCents,
          importId: record.importId,
        }),
        signal: AbortSignal.timeout(this.target.timeoutMs),
      });
    } catch (error) {
      throw new TargetError(`target service did not answer: ${(error as Error).message}`, 'target-unavailable', true);
    }
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) return;
    const status = response.status;
    // Busy, throttled or broken may pass; any other refusal is about the data.
    const retriable = status >= 500 || status === 408 || status === 429;
    throw new TargetError(`target service answered HTTP ${status}`, retriable ? `target-http-${status}` : 'target-rejected', retriable);
  }
}
