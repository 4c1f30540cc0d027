import { randomUUID } from 'node:crypto';
import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  Req,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { flowContext } from '../../../../platform/event-bus/index.js';
import { publicUrl } from '../../../../platform/http/index.js';
import { ImportProgress } from '../../kernel/import-progress.js';
import { Imports } from '../../kernel/imports.js';
import { Extraction } from './extraction.js';
import { SourceReaders } from './sources/source-readers.js';
import { ImportAccepted, StartImportRequest } from './start-import.dto.js';

/** REST trigger of the extract pipeline, and the progress of imports. */
@ApiTags('imports')
@Controller('imports')
export class ImportsController {
  constructor(
    private readonly extraction: Extraction,
    private readonly readers: SourceReaders,
    private readonly imports: Imports,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Start an import of a configured source',
    description:
      'Answers at once; the records are extracted, processed, reprocessed and their errors treated asynchronously. ' +
      'Follow the import at its href.',
  })
  @ApiAcceptedResponse({ type: ImportAccepted, description: 'The import started' })
  @ApiBadRequestResponse({
    description:
      'Problem details: no such source, or a malformed body (code validation-failed or unknown-source)',
  })
  @ApiServiceUnavailableResponse({
    description: 'Problem details: the process is shutting down (code shutting-down)',
  })
  async start(@Body() body: StartImportRequest, @Req() req: Request): Promise<ImportAccepted> {
    if (!this.readers.source(body.source)) {
      const known = this.readers.names().join(', ') || '(none)';
      throw new BadRequestException({
        message: `no source named '${body.source}' is configured`,
        code: 'unknown-source',
        errors: [{ field: 'source', message: `source must be one of: ${known}` }],
      });
    }
    const correlationId = flowContext.current()?.correlationId ?? randomUUID();
    const started = await this.extraction.start(body.source, { triggeredBy: 'api', correlationId });
    if (!started) {
      throw new ServiceUnavailableException({
        message: 'the service is shutting down; try again',
        code: 'shutting-down',
      });
    }
    return {
      id: started.id,
      source: started.source,
      status: 'running',
      href: publicUrl(req, `/api/v1/imports/${started.id}`),
      correlationId,
    };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Progress of an import: record counts and status' })
  @ApiOkResponse({ type: ImportProgress })
  @ApiBadRequestResponse({ description: 'Problem details: the id is not a UUID' })
  @ApiNotFoundResponse({ description: 'Problem details: no such import (code import-not-found)' })
  async progress(@Param('id', new ParseUUIDPipe()) id: string): Promise<ImportProgress> {
    const progress = await this.imports.progress(id);
    if (!progress)
      throw new NotFoundException({ message: `no import ${id}`, code: 'import-not-found' });
    return progress;
  }
}
