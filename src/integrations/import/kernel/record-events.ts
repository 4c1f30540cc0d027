import { ApiProperty } from '@nestjs/swagger';
import {
  IsInt,
  IsObject,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { defineEvent } from '../../../platform/event-bus/index.js';
import { defineResolutionEvent, defineErrorEvent } from '../../../platform/error-store/index.js';
import { SOURCE_NAME } from './source-name.js';

/** Record keys are part of Object Store keys (import id + key), which stop at 191 characters. */
export const MAX_RECORD_KEY = 150;

/** One record read from a source, as the extract pipeline publishes it. */
export class ExtractedRecord {
  @ApiProperty({ format: 'uuid' }) @IsUUID() importId!: string;

  @ApiProperty({ example: 'sample' }) @IsString() @Matches(SOURCE_NAME) source!: string;

  @ApiProperty({ description: 'The record key in its source', example: '42' })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_RECORD_KEY)
  key!: string;

  @ApiProperty({
    description: 'The record as the source gave it',
    type: 'object',
    additionalProperties: true,
  })
  @IsObject()
  data!: Record<string, unknown>;
}

/** A failed record handed back to the process pipeline by the reprocess pipeline. */
export class ReprocessRecord extends ExtractedRecord {
  @ApiProperty({ description: 'Reprocessing attempt, from 1', example: 1 })
  @IsInt()
  @Min(1)
  attempt!: number;
}

/** Pipeline 1 → 2: one event per extracted record. */
export const recordExtracted = defineEvent('record.extracted', ExtractedRecord);
/** Pipeline 3 → 2: a record from the Object Store, to process again. */
export const recordReprocess = defineEvent('record.reprocess', ReprocessRecord);
/** The asynchronous model's error event, published by pipelines 1 to 3 and treated by pipeline 4. */
export const importError = defineErrorEvent('import.error');
/** Pipeline 2 → 4: records that succeeded after being given up on; their error records are resolved. */
export const importResolved = defineResolutionEvent('import.resolved');
