import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsISO8601,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { PIPELINE_NAME } from '../pipeline/pipeline-name.js';
import { defineEvent, type EventDefinition } from '../event-bus/event-definition.js';
import { MAX_SUBJECT_LENGTH } from './pipeline-error.js';

/** Subjects one resolution names at most: a batch of records, a delivery. */
export const MAX_RESOLVED_SUBJECTS = 1000;

/**
 * A pipeline got past failures it reported earlier: what failed (each error's `subject`)
 * has since succeeded, through reprocessing, a replayed dead letter or an operator's retry.
 * The error-treatment pipeline of its model resolves every error record about those subjects.
 */
export class ErrorResolved {
  @ApiProperty({ example: 'store-receipt' })
  @IsString()
  @Matches(PIPELINE_NAME)
  pipeline!: string;

  @ApiProperty({ type: [String], example: ['6f1c2d3e-0000-4000-8000-000000000001/receipt'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_RESOLVED_SUBJECTS)
  @IsString({ each: true })
  @MaxLength(MAX_SUBJECT_LENGTH, { each: true })
  subjects!: string[];

  @ApiProperty({ description: 'How it succeeded, noted on the records', example: 'receipt sent' })
  @IsString()
  @MaxLength(500)
  how!: string;

  @ApiProperty() @IsISO8601() resolvedAt!: string;
}

/** The resolution event of one integration model, beside its error event (see `defineErrorEvent`). */
export function defineResolutionEvent(name: string): EventDefinition<ErrorResolved> {
  return defineEvent(name, ErrorResolved);
}
