import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { defineEvent, type EventDefinition } from '../event-bus/event-definition.js';
import { PIPELINE_NAME } from '../pipeline/pipeline-name.js';
import { MAX_MESSAGE_LENGTH } from './describe-error.js';

/** An error code: lower-case, stable, machine-readable (`smtp-unavailable`, `target.http-503`). */
export const ERROR_CODE = /^[a-z0-9][a-z0-9.-]*$/;

/** As long as an Object Store key (a failed import record's subject is its key). */
export const MAX_SUBJECT_LENGTH = 191;

/** The event that failed, carried whole so that error treatment can republish it. */
export class FailedEvent {
  @ApiProperty() @IsString() @MaxLength(64) id!: string;
  @ApiProperty() @IsString() @MaxLength(200) name!: string;
  @ApiProperty({ description: 'The payload as it was received' }) @IsOptional() payload?: unknown;
}

/** Where the failed input is kept instead, when it is too big or already stored (Object Store). */
export class FailedInputReference {
  @ApiProperty({ example: 'process' }) @IsString() @MaxLength(100) store!: string;
  @ApiProperty() @IsString() @MaxLength(191) key!: string;
}

/**
 * The one error contract of every pipeline: what failed, where, in which flow, with the
 * original event (or a reference to its stored input), and whether trying again can help.
 */
export class PipelineError {
  @ApiProperty({ example: 'store-receipt' })
  @IsString()
  @Matches(PIPELINE_NAME)
  pipeline!: string;

  @ApiProperty({ description: 'Stable, machine-readable error code', example: 'smtp-unavailable' })
  @IsString()
  @Matches(ERROR_CODE)
  @MaxLength(100)
  code!: string;

  @ApiProperty({ example: 'SMTP server refused the connection' })
  @IsString()
  @MaxLength(MAX_MESSAGE_LENGTH)
  message!: string;

  @ApiProperty() @IsString() @MaxLength(128) correlationId!: string;

  @ApiProperty({ description: 'Whether reprocessing may succeed' })
  @IsBoolean()
  retriable!: boolean;

  @ApiProperty() @IsISO8601() occurredAt!: string;

  @ApiPropertyOptional({ type: FailedEvent })
  @IsOptional()
  @ValidateNested()
  @Type(() => FailedEvent)
  event?: FailedEvent;

  @ApiPropertyOptional({ type: FailedInputReference })
  @IsOptional()
  @ValidateNested()
  @Type(() => FailedInputReference)
  reference?: FailedInputReference;

  @ApiPropertyOptional({
    description:
      'What failed (a delivery, a record), so that its success later resolves the error: see ErrorResolved',
    example: '6f1c2d3e-0000-4000-8000-000000000001/receipt',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_SUBJECT_LENGTH)
  subject?: string;

  @ApiPropertyOptional({ description: 'Flow-specific details, such as an import id' })
  @IsOptional()
  @IsObject()
  context?: Record<string, unknown>;
}

/**
 * An error event for one integration model. Each model has its own error event (so its
 * error-treatment pipeline receives only its errors) on the shared {@link PipelineError} contract.
 */
export function defineErrorEvent(name: string): EventDefinition<PipelineError> {
  return defineEvent(name, PipelineError);
}
