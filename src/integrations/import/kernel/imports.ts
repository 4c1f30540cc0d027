import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type DataSource, Repository } from 'typeorm';
import { InjectDataSource } from '@nestjs/typeorm';
import { MAX_MESSAGE_LENGTH } from '../../../platform/error-store/index.js';
import { truncate } from '../../../platform/text/index.js';
import { ImportRecord } from './import-record.entity.js';
import { Import } from './import.entity.js';
import { ImportCounts, ImportProgress, type ImportStatus } from './import-progress.js';

export interface NewImport {
  source: string;
  triggeredBy: Import['triggeredBy'];
  triggerKey?: string;
  correlationId: string;
  /** The extraction starts leased to its creator. */
  owner: string;
  leaseMs: number;
}

/**
 * The imports and their extraction lease. The process that extracts renews the lease at
 * every page; a lease left to run out means that process died, and another one resumes.
 */
@Injectable()
export class Imports {
  constructor(
    @InjectRepository(Import) private readonly imports: Repository<Import>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Null when a replica already created the import of this scheduled tick. */
  async create(spec: NewImport): Promise<Import | null> {
    const id = randomUUID();
    await this.imports
      .createQueryBuilder()
      .insert()
      .into(Import)
      .values({
        id,
        source: spec.source,
        triggeredBy: spec.triggeredBy,
        triggerKey: spec.triggerKey ?? null,
        correlationId: spec.correlationId,
        extraction: 'running',
        cursor: null,
        replay: false,
        leaseOwner: spec.owner,
        leaseUntil: new Date(Date.now() + spec.leaseMs),
        error: null,
        extractedAt: null,
      })
      .orIgnore()
      .execute();
    return this.imports.findOneBy({ id });
  }

  get(id: string): Promise<Import | null> {
    return this.imports.findOneBy({ id });
  }

  /** Records that the page up to `cursor` is published, and renews the lease. False: the lease is lost. */
  async advance(
    id: string,
    owner: string,
    cursor: Import['cursor'],
    leaseMs: number,
  ): Promise<boolean> {
    const result = await this.imports.update(
      { id, leaseOwner: owner, extraction: 'running' },
      { cursor, leaseUntil: new Date(Date.now() + leaseMs) },
    );
    return (result.affected ?? 0) > 0;
  }

  async finishExtraction(id: string, owner: string): Promise<boolean> {
    const result = await this.imports.update(
      { id, leaseOwner: owner, extraction: 'running' },
      {
        extraction: 'done',
        replay: false,
        leaseOwner: null,
        leaseUntil: null,
        extractedAt: new Date(),
      },
    );
    return (result.affected ?? 0) > 0;
  }

  async failExtraction(id: string, owner: string, error: string): Promise<void> {
    await this.imports.update(
      { id, leaseOwner: owner, extraction: 'running' },
      {
        extraction: 'failed',
        leaseOwner: null,
        leaseUntil: null,
        error: truncate(error, MAX_MESSAGE_LENGTH),
      },
    );
  }

  /** Gives the extraction up at shutdown: another process (or this one, restarted) resumes it at once. */
  async release(id: string, owner: string): Promise<void> {
    await this.imports.update(
      { id, leaseOwner: owner, extraction: 'running' },
      { leaseOwner: null, leaseUntil: null },
    );
  }

  /** Takes over running extractions whose lease ran out (or was released). */
  async claimStale(owner: string, leaseMs: number, limit = 10): Promise<Import[]> {
    const now = new Date();
    const stale = `extraction = 'running' AND (lease_until IS NULL OR lease_until < :now)`;
    const candidates = await this.imports
      .createQueryBuilder('i')
      .select('i.id', 'id')
      .where(`i.extraction = 'running' AND (i.leaseUntil IS NULL OR i.leaseUntil < :now)`, { now })
      .limit(limit)
      .getRawMany<{ id: string }>();
    const claimed: Import[] = [];
    for (const { id } of candidates) {
      const result = await this.imports
        .createQueryBuilder()
        .update(Import)
        .set({ leaseOwner: owner, leaseUntil: new Date(Date.now() + leaseMs) })
        .where(`id = :id AND ${stale}`, { id, now })
        .execute();
      if ((result.affected ?? 0) > 0) claimed.push((await this.imports.findOneBy({ id }))!);
    }
    return claimed;
  }

  /**
   * For a bus that keeps nothing across restarts (in-process): every unsettled import is read
   * again from the start, and the records whose event was lost are published again.
   */
  async prepareReplay(): Promise<number> {
    const result = await this.imports
      .createQueryBuilder()
      .update(Import)
      .set({
        extraction: 'running',
        replay: true,
        cursor: null,
        leaseOwner: null,
        leaseUntil: null,
      })
      .where(
        `extraction = 'running' OR (extraction = 'done' AND EXISTS ` +
          `(SELECT 1 FROM import_records r WHERE r.import_id = imports.id AND r.state = 'extracted'))`,
      )
      .execute();
    return result.affected ?? 0;
  }

  /** The newest imports first, of one source or all, with their progress. */
  async list(
    filter: { source?: string },
    offset: number,
    limit: number,
  ): Promise<{ items: ImportProgress[]; total: number }> {
    const [found, total] = await this.imports.findAndCount({
      where: filter.source ? { source: filter.source } : {},
      order: { createdAt: 'DESC', id: 'ASC' },
      skip: offset,
      take: limit,
    });
    return { items: await Promise.all(found.map((one) => this.progressOf(one))), total };
  }

  async progress(id: string): Promise<ImportProgress | null> {
    const found = await this.imports.findOneBy({ id });
    return found ? this.progressOf(found) : null;
  }

  private async progressOf(found: Import): Promise<ImportProgress> {
    const id = found.id;
    const counts = await this.count(id);
    return {
      id: found.id,
      source: found.source,
      status: statusOf(found, counts),
      extraction: found.extraction,
      triggeredBy: found.triggeredBy,
      correlationId: found.correlationId,
      counts,
      ...(found.error ? { error: found.error } : {}),
      createdAt: found.createdAt.toISOString(),
      ...(found.extractedAt ? { extractedAt: found.extractedAt.toISOString() } : {}),
    };
  }

  private async count(importId: string): Promise<ImportCounts> {
    const rows = await this.dataSource
      .getRepository(ImportRecord)
      .createQueryBuilder('r')
      .select('r.state', 'state')
      .addSelect('r.retried', 'retried')
      .addSelect('COUNT(*)', 'records')
      .addSelect('SUM(CASE WHEN r.reprocessed > 0 THEN 1 ELSE 0 END)', 'reprocessedRecords')
      .addSelect('SUM(r.reprocessed)', 'attempts')
      .where('r.importId = :importId', { importId })
      .groupBy('r.state')
      .addGroupBy('r.retried')
      .getRawMany<{
        state: string;
        retried: unknown;
        records: unknown;
        reprocessedRecords: unknown;
        attempts: unknown;
      }>();
    const counts: ImportCounts = {
      extracted: 0,
      processed: 0,
      failed: 0,
      reprocessed: 0,
      reprocessAttempts: 0,
      succeededAfterRetry: 0,
      dead: 0,
      pending: 0,
    };
    for (const row of rows) {
      const records = Number(row.records);
      const retried = Number(row.retried) === 1 || row.retried === true;
      counts.extracted += records;
      counts.reprocessed += Number(row.reprocessedRecords ?? 0);
      counts.reprocessAttempts += Number(row.attempts ?? 0);
      if (retried) counts.failed += records;
      if (row.state === 'succeeded') {
        counts.processed += records;
        if (retried) counts.succeededAfterRetry += records;
      } else if (row.state === 'dead' || row.state === 'dead-lettered') counts.dead += records;
      else counts.pending += records;
    }
    return counts;
  }
}

function statusOf(found: Import, counts: ImportCounts): ImportStatus {
  if (found.extraction === 'failed') return 'failed';
  if (found.extraction === 'running' || counts.pending > 0) return 'running';
  return counts.dead > 0 ? 'completed-with-errors' : 'completed';
}
