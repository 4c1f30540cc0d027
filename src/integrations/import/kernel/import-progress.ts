import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export type ImportStatus = 'running' | 'completed' | 'completed-with-errors' | 'failed';

/** Record counts of an import, from the state of each of its records. */
export class ImportCounts {
  @ApiProperty({ description: 'Records read from the source and published', example: 1000 })
  extracted!: number;
  @ApiProperty({
    description: 'Records written to the target (first time or after retries)',
    example: 990,
  })
  processed!: number;
  @ApiProperty({
    description: 'Records that failed at least once and went to the Object Store',
    example: 14,
  })
  failed!: number;
  @ApiProperty({
    description: 'Records handed back by the reprocess pipeline at least once',
    example: 12,
  })
  reprocessed!: number;
  @ApiProperty({ description: 'Reprocessing attempts, all records together', example: 20 })
  reprocessAttempts!: number;
  @ApiProperty({ description: 'Records written to the target after failing first', example: 4 })
  succeededAfterRetry!: number;
  @ApiProperty({
    description:
      'Records given up on (attempt limit, invalid data, discarded), or whose event ended in the dead letters (until it is replayed)',
    example: 10,
  })
  dead!: number;
  @ApiProperty({
    description: 'Records not yet settled (waiting for processing or reprocessing)',
    example: 0,
  })
  pending!: number;
}

/** Where an import stands. */
export class ImportProgress {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'sample' }) source!: string;
  @ApiProperty({
    enum: ['running', 'completed', 'completed-with-errors', 'failed'],
    description:
      'running until extraction ends and every record succeeded or is dead; failed when extraction failed',
  })
  status!: ImportStatus;
  @ApiProperty({ enum: ['running', 'done', 'failed'] }) extraction!: string;
  @ApiProperty({ enum: ['api', 'schedule'] }) triggeredBy!: string;
  @ApiProperty() correlationId!: string;
  @ApiProperty({ type: ImportCounts }) counts!: ImportCounts;
  @ApiPropertyOptional({ description: 'Why extraction failed' }) error?: string;
  @ApiProperty() createdAt!: string;
  @ApiPropertyOptional({ description: 'When extraction ended' }) extractedAt?: string;
}
