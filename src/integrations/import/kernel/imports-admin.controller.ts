import { Controller, Get, NotFoundException, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, MaxLength, Min } from 'class-validator';
import { Roles } from '../../../platform/auth/index.js';
import { ApiProblemResponse, PageQuery } from '../../../platform/http/index.js';
import { ImportProgress } from './import-progress.js';
import { Imports } from './imports.js';
import { SOURCE_NAME } from './source-name.js';

export class ImportQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'sample' })
  @IsOptional()
  @Matches(SOURCE_NAME)
  @MaxLength(100)
  source?: string;

  // Each import's counts are a query of their own: a page stays small.
  // Every check again: class-validator drops the parent's checks of a property redefined here.
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  override limit: number = 20;
}

export class ImportPage {
  @ApiProperty({ type: [ImportProgress] }) items!: ImportProgress[];
  @ApiProperty({ example: 1 }) total!: number;
  @ApiProperty({ example: 0 }) offset!: number;
  @ApiProperty({ example: 20 }) limit!: number;
}

/**
 * The import flow's own admin routes, beside the platform's (`/api/v1/admin`): operators read
 * the imports and their counts (the business route `GET /imports/{id}` needs the integration
 * role). The integration contributes them, so admin and the platform know no integration.
 */
@ApiTags('admin: imports')
@Roles('operator')
@Controller('admin/imports')
export class ImportsAdminController {
  constructor(private readonly imports: Imports) {}

  @Get()
  @ApiOperation({ summary: 'The imports, newest first, with their progress' })
  @ApiOkResponse({ type: ImportPage })
  async list(@Query() query: ImportQuery): Promise<ImportPage> {
    const { items, total } = await this.imports.list(query, query.offset, query.limit);
    return { items, total, offset: query.offset, limit: query.limit };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One import: status and record counts' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ImportProgress })
  @ApiProblemResponse(404, 'No such import', 'import-not-found')
  async get(@Param('id', new ParseUUIDPipe()) id: string): Promise<ImportProgress> {
    const progress = await this.imports.progress(id);
    if (!progress)
      throw new NotFoundException({ message: `no import ${id}`, code: 'import-not-found' });
    return progress;
  }
}
