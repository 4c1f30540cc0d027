import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Roles, CurrentPrincipal, type Principal } from '../../platform/auth/index.js';
import { type ErrorRecord, ErrorStore } from '../../platform/error-store/index.js';
import { ApiProblemResponse } from '../../platform/http/index.js';
import { TraceLinks } from '../../platform/tracing/index.js';
import { Audited } from '../audit/audited.decorator.js';
import {
  ErrorPage,
  ErrorQuery,
  ErrorRecordView,
  ItsmResendRequest,
  ItsmResendView,
  UpdateErrorRequest,
} from './errors.dto.js';
import { ItsmResend } from './itsm-resend.js';

const errorId = new ParseUUIDPipe({
  exceptionFactory: () =>
    new BadRequestException({
      message: 'the request is not valid',
      code: 'validation-failed',
      errors: [{ field: 'id', message: 'id must be a UUID' }],
    }),
});

@ApiTags('admin: errors')
@Roles('operator')
@Controller('admin/errors')
export class ErrorsController {
  constructor(
    private readonly errors: ErrorStore,
    private readonly itsm: ItsmResend,
    private readonly traceLinks: TraceLinks,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Error records, newest first, filtered by pipeline, code, status and time range',
  })
  @ApiOkResponse({ type: ErrorPage })
  async list(@Query() query: ErrorQuery): Promise<ErrorPage> {
    const page = await this.errors.list(
      {
        pipeline: query.pipeline,
        code: query.code,
        status: query.status,
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
      },
      query,
    );
    return {
      items: page.items.map((record) => ErrorRecordView.of(record, this.traceLinks)),
      total: page.total,
      offset: query.offset,
      limit: query.limit,
    };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One error record, with the failed event' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ErrorRecordView })
  @ApiProblemResponse(404, 'No such error record', 'error-not-found')
  async get(@Param('id', errorId) id: string): Promise<ErrorRecordView> {
    return ErrorRecordView.of(await this.found(id), this.traceLinks);
  }

  @Patch(':id')
  @Roles('admin')
  @Audited('error.update', 'error', 'id')
  @ApiOperation({ summary: 'Resolve an error (or open it again) and/or annotate it' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ErrorRecordView })
  @ApiProblemResponse(404, 'No such error record', 'error-not-found')
  async update(
    @Param('id', errorId) id: string,
    @Body() body: UpdateErrorRequest,
  ): Promise<ErrorRecordView> {
    if (body.status === undefined && body.note === undefined) {
      throw new BadRequestException({
        message: 'nothing to change: give status and/or note',
        code: 'validation-failed',
        errors: [{ field: 'status', message: 'status or note is required' }],
      });
    }
    await this.found(id);
    const updated = await this.errors.update(id, {
      ...(body.status ? { status: body.status } : {}),
      ...(body.note !== undefined ? { note: body.note } : {}),
    });
    return ErrorRecordView.of(updated!, this.traceLinks);
  }

  @Post(':id/itsm')
  @HttpCode(200)
  @Audited('error.itsm-resend', 'error', 'id')
  @ApiOperation({
    summary: 'Open an ITSM incident for the error (again); the ticket is noted on the record',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ItsmResendView })
  @ApiProblemResponse(404, 'No such error record', 'error-not-found')
  @ApiProblemResponse(409, 'No ITSM tool is configured (ITSM_URL)', 'itsm-not-configured')
  @ApiProblemResponse(502, 'The ITSM tool refused or did not answer', 'itsm-server-error')
  async resendToItsm(
    @Param('id', errorId) id: string,
    @Body() body: ItsmResendRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ItsmResendView> {
    const { ticketId, record } = await this.itsm.send(
      await this.found(id),
      body.severity,
      principal.subject,
    );
    return { ticketId, error: ErrorRecordView.of(record, this.traceLinks) };
  }

  private async found(id: string): Promise<ErrorRecord> {
    const record = await this.errors.get(id);
    if (!record)
      throw new NotFoundException({ message: `no error record '${id}'`, code: 'error-not-found' });
    return record;
  }
}
