import { currentTraceId, traceIdOf } from '../tracing/tracing.js';
import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type FindOptionsWhere, MoreThanOrEqual, Repository } from 'typeorm';
import { withinTimeRange } from '../persistence/time-range.js';
import { truncate } from '../text/truncate.js';
import { MAX_MESSAGE_LENGTH } from './describe-error.js';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { EventEnvelope } from '../event-bus/event-envelope.js';
import { ErrorRecord, type ErrorRecordStatus } from './error-record.entity.js';
import type { PipelineError } from './pipeline-error.js';

export interface ErrorRecordFilter {
  pipeline?: string;
  code?: string;
  status?: ErrorRecordStatus;
  from?: Date;
  to?: Date;
}

export interface Page<T> {
  items: T[];
  total: number;
}

/** Alike errors share a fingerprint: same pipeline and code, within the same scope (an import, a merchant…). */
export function errorFingerprint(pipeline: string, code: string, scope = ''): string {
  return createHash('sha256').update(`${pipeline}\u0000${code}\u0000${scope}`).digest('hex');
}

/**
 * The error records of every pipeline. Storing is idempotent on the error event's id, so a
 * redelivered error event never becomes a second record.
 */
@Injectable()
export class ErrorStore {
  constructor(@InjectRepository(ErrorRecord) private readonly records: Repository<ErrorRecord>) {}

  async record(
    envelope: EventEnvelope<PipelineError>,
    options: { fingerprintScope?: string; status?: ErrorRecordStatus } = {},
  ): Promise<{ record: ErrorRecord; created: boolean }> {
    const existing = await this.records.findOneBy({ errorEventId: envelope.id });
    if (existing) return { record: existing, created: false };
    const error = envelope.payload;
    const id = randomUUID();
    await this.records
      .createQueryBuilder()
      .insert()
      .into(ErrorRecord)
      .values(<QueryDeepPartialEntity<ErrorRecord>>{
        id,
        errorEventId: envelope.id,
        pipeline: error.pipeline,
        code: error.code,
        message: error.message,
        fingerprint: errorFingerprint(error.pipeline, error.code, options.fingerprintScope),
        correlationId: error.correlationId,
        retriable: error.retriable,
        status: options.status ?? 'open',
        failedEvent: error.event ?? null,
        reference: error.reference ?? null,
        subject: error.subject ?? null,
        context: error.context ?? null,
        notifications: null,
        note: null,
        occurredAt: new Date(error.occurredAt),
        // The failing flow's trace: the error event continues it.
        traceId: traceIdOf(envelope) ?? currentTraceId() ?? null,
      })
      // Two replicas handling the same redelivered event: the second insert is a no-op.
      .orIgnore()
      .execute();
    const record = await this.records.findOneByOrFail({ errorEventId: envelope.id });
    return { record, created: record.id === id };
  }

  get(id: string): Promise<ErrorRecord | null> {
    return this.records.findOneBy({ id });
  }

  async list(
    filter: ErrorRecordFilter,
    page: { offset: number; limit: number },
  ): Promise<Page<ErrorRecord>> {
    const where: FindOptionsWhere<ErrorRecord> = {};
    if (filter.pipeline) where.pipeline = filter.pipeline;
    if (filter.code) where.code = filter.code;
    if (filter.status) where.status = filter.status;
    const occurredAt = withinTimeRange(filter.from, filter.to);
    if (occurredAt) where.occurredAt = occurredAt;
    const [items, total] = await this.records.findAndCount({
      where,
      order: { occurredAt: 'DESC', id: 'ASC' },
      skip: page.offset,
      take: page.limit,
    });
    return { items, total };
  }

  /** Records with this fingerprint that occurred at or after `since`. */
  countSimilar(fingerprint: string, since: Date): Promise<number> {
    return this.records.countBy({ fingerprint, occurredAt: MoreThanOrEqual(since) });
  }

  /** How many records each pipeline has in each status: the error counts of the metrics. */
  async countByPipelineAndStatus(): Promise<
    { pipeline: string; status: ErrorRecordStatus; count: number }[]
  > {
    const rows = await this.records
      .createQueryBuilder('r')
      .select('r.pipeline', 'pipeline')
      .addSelect('r.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .groupBy('r.pipeline')
      .addGroupBy('r.status')
      .getRawMany<{ pipeline: string; status: ErrorRecordStatus; count: string | number }>();
    return rows.map((row) => ({
      pipeline: row.pipeline,
      status: row.status,
      count: Number(row.count),
    }));
  }

  /**
   * `from`: only a record in that status changes (error treatment moving an open record on
   * must not undo a resolution that arrived meanwhile).
   */
  async update(
    id: string,
    patch: Partial<Pick<ErrorRecord, 'status' | 'notifications' | 'note'>>,
    from?: ErrorRecordStatus,
  ): Promise<ErrorRecord | null> {
    await this.records.update(
      from ? { id, status: from } : { id },
      patch as QueryDeepPartialEntity<ErrorRecord>,
    );
    return this.get(id);
  }

  /**
   * Every record about these subjects not yet resolved is resolved, its note (when it has
   * none) saying how; returns how many. A record stored after this (a late error event)
   * stays as it is.
   */
  async resolve(subjects: readonly string[], how: string): Promise<number> {
    if (subjects.length === 0) return 0;
    const result = await this.records
      .createQueryBuilder()
      .update(ErrorRecord)
      .set({ status: 'resolved', note: () => 'COALESCE(note, :how)' })
      .where('subject IN (:...subjects) AND status <> :resolved', {
        subjects: [...new Set(subjects)],
        resolved: 'resolved',
      })
      .setParameter('how', truncate(`resolved: ${how}`, MAX_MESSAGE_LENGTH))
      .execute();
    return result.affected ?? 0;
  }
}
