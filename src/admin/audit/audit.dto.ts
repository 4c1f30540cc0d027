import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, Matches } from 'class-validator';
import { PageQuery } from '../../platform/http/index.js';
import type { AuditRecord } from './audit-record.entity.js';

export class AuditQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'alice@example.com' })
  @IsOptional()
  @Matches(/^[\p{L}\p{N}@._:+-]{1,200}$/u, { message: 'actor is not a plausible user' })
  actor?: string;
  @ApiPropertyOptional({ example: 'dead-letter.replay' })
  @IsOptional()
  @Matches(/^[a-z0-9.-]{1,100}$/)
  action?: string;
  @ApiPropertyOptional({ example: 'dead-letter' })
  @IsOptional()
  @Matches(/^[a-z0-9-]{1,50}$/)
  targetType?: string;
  @ApiPropertyOptional({ example: '1764150000000-0' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._:-]{1,200}$/)
  targetId?: string;
  @ApiPropertyOptional({ example: '2026-01-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;
  @ApiPropertyOptional({ example: '2026-12-31T23:59:59Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class AuditRecordView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'alice@example.com' }) actor!: string;
  @ApiProperty({ enum: ['jwt', 'api-key', 'gateway'] }) authMethod!: string;
  @ApiProperty({ example: ['admin'], type: [String] }) roles!: string[];
  @ApiProperty({ example: 'dead-letter.replay' }) action!: string;
  @ApiProperty({ example: 'dead-letter' }) targetType!: string;
  @ApiPropertyOptional({ example: '1764150000000-0', nullable: true }) targetId!: string | null;
  @ApiProperty({ enum: ['succeeded', 'failed'] }) outcome!: string;
  @ApiProperty({ example: 200 }) statusCode!: number;
  @ApiPropertyOptional({ description: 'The request body as sent', nullable: true })
  details!: unknown;
  @ApiProperty() correlationId!: string;
  @ApiPropertyOptional({ nullable: true, example: '10.0.0.7' }) clientAddress!: string | null;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;

  static of(record: AuditRecord): AuditRecordView {
    return {
      ...record,
      roles: record.roles ? record.roles.split(',') : [],
      occurredAt: record.occurredAt.toISOString(),
    };
  }
}

export class AuditPage {
  @ApiProperty({ type: [AuditRecordView] }) items!: AuditRecordView[];
  @ApiProperty({ example: 1 }) total!: number;
  @ApiProperty({ example: 0 }) offset!: number;
  @ApiProperty({ example: 50 }) limit!: number;
}
