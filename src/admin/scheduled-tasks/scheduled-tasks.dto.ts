import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches, MaxLength } from 'class-validator';

export class TaskRunView {
  @ApiProperty({ enum: ['schedule', 'manual'] }) trigger!: string;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiPropertyOptional({ format: 'date-time' }) finishedAt?: string;
  @ApiProperty({ enum: ['running', 'succeeded', 'failed'] }) outcome!: string;
  @ApiPropertyOptional() error?: string;
}

export class ScheduledTaskView {
  @ApiProperty({ example: 'import-reprocessor' }) name!: string;
  @ApiProperty({ example: 10000, description: 'Runs every this many milliseconds' })
  everyMs!: number;
  @ApiProperty() running!: boolean;
  @ApiProperty({ type: [TaskRunView], description: 'The latest runs (up to 20), newest first' })
  lastRuns!: TaskRunView[];
}

export class RunRequest {
  @ApiPropertyOptional({
    example: 'import-reprocessor',
    description: 'One task; absent, every reprocessing task',
  })
  @IsOptional()
  @Matches(/^[a-z0-9]+(-[a-z0-9]+)*$/)
  @MaxLength(100)
  task?: string;
}
