import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { SOURCE_NAME } from '../../kernel/source-name.js';

export class StartImportRequest {
  @ApiProperty({
    description: 'Name of a source in the configuration (importFlow.sources)',
    example: 'sample',
  })
  @IsString()
  @MaxLength(64)
  @Matches(SOURCE_NAME, {
    message: 'source must be a source name (lower-case letters, digits, dashes)',
  })
  source!: string;
}

export class ImportAccepted {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'sample' }) source!: string;
  @ApiProperty({ example: 'running' }) status!: string;
  @ApiProperty({ description: 'Where to follow its progress', example: '/api/v1/imports/6f1c…' })
  href!: string;
  @ApiProperty() correlationId!: string;
}
