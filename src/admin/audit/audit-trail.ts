import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type FindOptionsWhere, Repository } from 'typeorm';
import { withinTimeRange } from '../../platform/persistence/index.js';
import type { Principal } from '../../platform/auth/index.js';
import { truncate } from '../../platform/text/index.js';
import { type AuditOutcome, AuditRecord } from './audit-record.entity.js';

export interface AuditEntry {
  principal: Principal;
  action: string;
  targetType: string;
  targetId?: string;
  outcome: AuditOutcome;
  statusCode: number;
  details?: unknown;
  correlationId: string;
  clientAddress?: string;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
}

/** Details larger than this are cut: the trail is for reading, not for storing payloads. */
const MAX_DETAILS_CHARS = 16_384;

/** The audit trail of admin actions, newest first. */
@Injectable()
export class AuditTrail {
  constructor(@InjectRepository(AuditRecord) private readonly records: Repository<AuditRecord>) {}

  async record(entry: AuditEntry): Promise<AuditRecord> {
    const record = this.records.create({
      id: randomUUID(),
      actor: truncate(entry.principal.subject, 200),
      authMethod: entry.principal.method,
      roles: entry.principal.roles.join(','),
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId == null ? null : truncate(entry.targetId, 200),
      outcome: entry.outcome,
      statusCode: entry.statusCode,
      details: bounded(entry.details),
      correlationId: entry.correlationId,
      clientAddress: entry.clientAddress == null ? null : truncate(entry.clientAddress, 64),
      occurredAt: new Date(),
    });
    return this.records.save(record);
  }

  async list(
    filter: AuditFilter,
    page: { offset: number; limit: number },
  ): Promise<{ items: AuditRecord[]; total: number }> {
    const where: FindOptionsWhere<AuditRecord> = {};
    if (filter.actor) where.actor = filter.actor;
    if (filter.action) where.action = filter.action;
    if (filter.targetType) where.targetType = filter.targetType;
    if (filter.targetId) where.targetId = filter.targetId;
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
}

function bounded(details: unknown): unknown {
  if (details === undefined || details === null) return null;
  if (typeof details === 'object' && Object.keys(details).length === 0) return null;
  const text = JSON.stringify(details);
  return text.length <= MAX_DETAILS_CHARS
    ? details
    : { truncated: true, preview: truncate(text, MAX_DETAILS_CHARS) };
}
