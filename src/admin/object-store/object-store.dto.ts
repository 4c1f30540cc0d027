import { ApiTraceId, ApiTraceUrl } from '../trace-properties.js';
import { carrierOf, traceIdOf, type TraceLinks } from '../../platform/tracing/index.js';
import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsObject,
  IsOptional,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import {
  OBJECT_STORE_STATUSES,
  type ObjectStoreEntry,
  type ObjectStoreStatus,
  STORE_NAME,
} from '../../platform/object-store/index.js';
import { ERROR_CODE } from '../../platform/error-store/index.js';
import { PageQuery } from '../../platform/http/index.js';

/** Plain key characters: no LIKE wildcard (`%`, `_`), and nothing that reads as a path traversal. */
const KEY_PREFIX = /^(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9.:/-]{1,191}$/;

/** Which entries a list or a bulk action is about. */
export class ObjectStoreFilter {
  @ApiPropertyOptional({ example: 'import-records' })
  @IsOptional()
  @Matches(STORE_NAME)
  @MaxLength(100)
  store?: string;
  @ApiPropertyOptional({ enum: OBJECT_STORE_STATUSES })
  @IsOptional()
  @IsIn(OBJECT_STORE_STATUSES)
  status?: ObjectStoreStatus;
  @ApiPropertyOptional({ example: 'invalid-record' })
  @IsOptional()
  @Matches(ERROR_CODE)
  @MaxLength(100)
  errorCode?: string;
  @ApiPropertyOptional({ example: '6f1c…/42', description: 'Entries whose key starts with this' })
  @IsOptional()
  @Matches(KEY_PREFIX)
  keyPrefix?: string;
}

/** A page of entries matching a filter: the same fields, validation and documentation. */
export class ObjectStoreQuery extends IntersectionType(PageQuery, ObjectStoreFilter) {}

export class ObjectStoreEntrySummary {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'import-records' }) store!: string;
  @ApiProperty({ example: '6f1c2d4e-0000-4000-8000-000000000000/42' }) key!: string;
  @ApiProperty({ enum: OBJECT_STORE_STATUSES }) status!: string;
  @ApiProperty({ example: 1 }) attempts!: number;
  @ApiProperty() retriable!: boolean;
  @ApiPropertyOptional({ nullable: true, example: 'invalid-record' }) errorCode!: string | null;
  @ApiPropertyOptional({ nullable: true, example: 'email must be an email' }) lastError!:
    string | null;
  @ApiPropertyOptional({ nullable: true, format: 'date-time' }) nextAttemptAt!: string | null;
  @ApiPropertyOptional({
    nullable: true,
    format: 'date-time',
    description:
      'When the purge deletes it: a done entry `objectStore.doneRetentionMs` after it settled, a pending one when its pipeline said; null, kept',
  })
  expiresAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiTraceId("the entry's input, which its reprocessing continues")
  traceId!: string | null;
  @ApiTraceUrl()
  traceUrl!: string | null;

  /** `links`: the operators' tracing backend, which links the entry's trace. */
  static of(entry: ObjectStoreEntry, links?: TraceLinks): ObjectStoreEntrySummary {
    const traceId = traceIdOf(carrierOf(entry)) ?? null;
    return {
      id: entry.id,
      store: entry.store,
      key: entry.key,
      status: entry.status,
      attempts: entry.attempts,
      retriable: entry.retriable,
      errorCode: entry.errorCode,
      lastError: entry.lastError,
      nextAttemptAt: entry.nextAttemptAt?.toISOString() ?? null,
      expiresAt: entry.expiresAt?.toISOString() ?? null,
      createdAt: entry.createdAt.toISOString(),
      updatedAt: entry.updatedAt.toISOString(),
      traceId,
      traceUrl: links?.url(traceId) ?? null,
    };
  }
}

export class ObjectStoreEntryView extends ObjectStoreEntrySummary {
  @ApiProperty({
    description: 'The input as the pipeline stored it',
    example: { importId: '…', source: 'people', key: '42', data: { email: 'p42@example.com' } },
  })
  payload!: unknown;

  static override of(entry: ObjectStoreEntry, links?: TraceLinks): ObjectStoreEntryView {
    return { ...ObjectStoreEntrySummary.of(entry, links), payload: entry.payload };
  }
}

export class ObjectStorePage {
  @ApiProperty({ type: [ObjectStoreEntrySummary] }) items!: ObjectStoreEntrySummary[];
  @ApiProperty({ example: 1 }) total!: number;
  @ApiProperty({ example: 0 }) offset!: number;
  @ApiProperty({ example: 50 }) limit!: number;
}

export class ReprocessEntryRequest {
  @ApiPropertyOptional({
    description: 'Replaces the stored payload before reprocessing',
    example: { importId: '…', source: 'people', key: '42', data: { email: 'fixed@example.com' } },
  })
  @IsOptional()
  @IsObject()
  payload?: Record<string, unknown>;
}

export class BulkRequest {
  @ApiProperty({
    type: ObjectStoreFilter,
    description: 'At least `store`; the entries the action applies to',
  })
  @IsDefined()
  @ValidateNested()
  @Type(() => ObjectStoreFilter)
  filter!: ObjectStoreFilter;
}

export class BulkResult {
  @ApiProperty({ example: 12, description: 'Entries the action changed' }) affected!: number;
}
