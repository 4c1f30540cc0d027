import type { TraceLinks } from '../../platform/tracing/index.js';
import { ApiTraceId, ApiTraceUrl } from '../trace-properties.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ERROR_CODE, type ErrorRecord } from '../../platform/error-store/index.js';
import { PageQuery } from '../../platform/http/index.js';
import { PIPELINE_NAME } from '../shared/identifiers.js';

const STATUSES = ['open', 'alerted', 'reprocessing', 'resolved'] as const;

export class ErrorQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'store-receipt' })
  @IsOptional()
  @Matches(PIPELINE_NAME)
  @MaxLength(100)
  pipeline?: string;
  @ApiPropertyOptional({ example: 'smtp-unavailable' })
  @IsOptional()
  @Matches(ERROR_CODE)
  @MaxLength(100)
  code?: string;
  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES)
  status?: (typeof STATUSES)[number];
  @ApiPropertyOptional({ example: '2026-01-01T00:00:00Z', description: 'Occurred at or after' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;
  @ApiPropertyOptional({ example: '2026-12-31T23:59:59Z', description: 'Occurred at or before' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class ErrorRecordView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'store-receipt' }) pipeline!: string;
  @ApiProperty({ example: 'smtp-unavailable' }) code!: string;
  @ApiProperty({ example: 'SMTP server refused the connection' }) message!: string;
  @ApiProperty() correlationId!: string;
  @ApiProperty() retriable!: boolean;
  @ApiProperty({ enum: STATUSES }) status!: string;
  @ApiProperty({ description: 'Alike errors (same pipeline, code and scope) share it' })
  fingerprint!: string;
  @ApiPropertyOptional({ nullable: true, description: 'The event that failed, with its payload' })
  failedEvent!: unknown;
  @ApiPropertyOptional({
    nullable: true,
    description: 'Where the failed input is kept instead (Object Store)',
  })
  reference!: unknown;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'What failed (a delivery, a record): its later success resolves the record',
  })
  subject!: string | null;
  @ApiPropertyOptional({ nullable: true }) context!: unknown;
  @ApiPropertyOptional({ nullable: true, description: 'Where alerts went (e-mail, ITSM ticket)' })
  notifications!: unknown;
  @ApiPropertyOptional({ nullable: true, example: 'Known outage of the SMTP relay' }) note!:
    string | null;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiTraceId('the flow that failed')
  traceId!: string | null;
  @ApiTraceUrl()
  traceUrl!: string | null;

  /** `links`: the operators' tracing backend, which links the record's trace. */
  static of(record: ErrorRecord, links?: TraceLinks): ErrorRecordView {
    return {
      id: record.id,
      pipeline: record.pipeline,
      code: record.code,
      message: record.message,
      correlationId: record.correlationId,
      retriable: record.retriable,
      status: record.status,
      fingerprint: record.fingerprint,
      failedEvent: record.failedEvent,
      reference: record.reference,
      subject: record.subject,
      context: record.context,
      notifications: record.notifications,
      note: record.note,
      occurredAt: record.occurredAt.toISOString(),
      updatedAt: record.updatedAt.toISOString(),
      traceId: record.traceId,
      traceUrl: links?.url(record.traceId) ?? null,
    };
  }
}

export class ErrorPage {
  @ApiProperty({ type: [ErrorRecordView] }) items!: ErrorRecordView[];
  @ApiProperty({ example: 1 }) total!: number;
  @ApiProperty({ example: 0 }) offset!: number;
  @ApiProperty({ example: 50 }) limit!: number;
}

export class UpdateErrorRequest {
  @ApiPropertyOptional({
    enum: ['open', 'resolved'],
    description: 'Resolve an error, or open it again',
  })
  @IsOptional()
  @IsIn(['open', 'resolved'])
  status?: 'open' | 'resolved';

  @ApiPropertyOptional({
    example: 'Relay fixed by the network team; replayed the dead letters',
    maxLength: 4000,
  })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  note?: string;
}

export class ItsmResendRequest {
  @ApiPropertyOptional({ enum: ['low', 'medium', 'high', 'critical'], default: 'medium' })
  @IsOptional()
  @IsIn(['low', 'medium', 'high', 'critical'])
  severity: 'low' | 'medium' | 'high' | 'critical' = 'medium';
}

export class ItsmResendView {
  @ApiProperty({ example: 'INC0010001' }) ticketId!: string;
  @ApiProperty({ type: ErrorRecordView }) error!: ErrorRecordView;
}
