import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  BadRequestException,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal, Roles } from '../../platform/auth/index.js';
import { ApiProblemResponse } from '../../platform/http/index.js';
import { TraceLinks } from '../../platform/tracing/index.js';
import { Audited } from '../audit/audited.decorator.js';
import { ObjectStoreAdmin } from './object-store-admin.js';
import {
  BulkRequest,
  BulkResult,
  ObjectStoreEntrySummary,
  ObjectStoreEntryView,
  ObjectStorePage,
  ObjectStoreQuery,
  ReprocessEntryRequest,
} from './object-store.dto.js';

const entryId = new ParseUUIDPipe({
  exceptionFactory: () =>
    new BadRequestException({
      message: 'the request is not valid',
      code: 'validation-failed',
      errors: [{ field: 'id', message: 'id must be a UUID' }],
    }),
});

@ApiTags('admin: object store')
@Roles('operator')
@Controller('admin/object-store')
export class ObjectStoreController {
  constructor(
    private readonly store: ObjectStoreAdmin,
    private readonly traceLinks: TraceLinks,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Object Store entries, most recently changed first, filtered by store, status, error code and key prefix',
  })
  @ApiOkResponse({ type: ObjectStorePage })
  async list(@Query() query: ObjectStoreQuery): Promise<ObjectStorePage> {
    const page = await this.store.list(query, query);
    return {
      items: page.items.map((entry) => ObjectStoreEntrySummary.of(entry, this.traceLinks)),
      total: page.total,
      offset: query.offset,
      limit: query.limit,
    };
  }

  // Before the `:id` routes, which would otherwise take `bulk` for an id.
  @Post('bulk/reprocess')
  @HttpCode(200)
  @Audited('object-store.bulk-reprocess', 'object-store')
  @ApiOperation({
    summary: 'Queue every pending or dead entry matching the filter for reprocessing now',
  })
  @ApiOkResponse({ type: BulkResult })
  async bulkReprocess(@Body() body: BulkRequest): Promise<BulkResult> {
    requireStore(body);
    return { affected: await this.store.bulkReprocess(body.filter) };
  }

  @Post('bulk/discard')
  @HttpCode(200)
  @Roles('admin')
  @Audited('object-store.bulk-discard', 'object-store')
  @ApiOperation({ summary: 'Discard every pending or dead entry matching the filter' })
  @ApiOkResponse({ type: BulkResult })
  @ApiProblemResponse(
    500,
    'The entries are discarded, but a pipeline could not be told of some: discard again with status dead and errorCode discarded',
    'discard-incomplete',
  )
  async bulkDiscard(
    @Body() body: BulkRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<BulkResult> {
    requireStore(body);
    return { affected: await this.store.bulkDiscard(body.filter, principal.subject) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One entry, with its payload' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ObjectStoreEntryView })
  @ApiProblemResponse(404, 'No such entry', 'entry-not-found')
  async get(@Param('id', entryId) id: string): Promise<ObjectStoreEntryView> {
    return ObjectStoreEntryView.of(await this.store.get(id), this.traceLinks);
  }

  @Post(':id/reprocess')
  @HttpCode(200)
  @Audited('object-store.reprocess', 'object-store-entry', 'id')
  @ApiOperation({
    summary: 'Queue the entry for reprocessing now, optionally with a corrected payload',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  // Swagger UI sends the first example by default: the stored payload, never a sample one.
  @ApiBody({
    type: ReprocessEntryRequest,
    examples: {
      'as stored': { summary: 'Reprocess the stored payload', value: {} },
      corrected: {
        summary: 'Replace the payload first',
        value: {
          payload: {
            importId: '…',
            source: 'people',
            key: '42',
            data: { email: 'fixed@example.com' },
          },
        },
      },
    },
  })
  @ApiOkResponse({ type: ObjectStoreEntryView })
  @ApiProblemResponse(404, 'No such entry', 'entry-not-found')
  @ApiProblemResponse(
    409,
    'The entry is done, or held by a reprocessor right now',
    'entry-in-flight',
  )
  async reprocess(
    @Param('id', entryId) id: string,
    @Body() body: ReprocessEntryRequest,
  ): Promise<ObjectStoreEntryView> {
    return ObjectStoreEntryView.of(await this.store.reprocess(id, body.payload), this.traceLinks);
  }

  @Post(':id/discard')
  @HttpCode(200)
  @Roles('admin')
  @Audited('object-store.discard', 'object-store-entry', 'id')
  @ApiOperation({
    summary: 'Give up on the entry: it is marked dead (code `discarded`) and never reprocessed',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ObjectStoreEntryView })
  @ApiProblemResponse(404, 'No such entry', 'entry-not-found')
  @ApiProblemResponse(
    409,
    'The entry is done, or held by a reprocessor right now',
    'entry-in-flight',
  )
  @ApiProblemResponse(
    500,
    'The entry is discarded, but its pipeline could not be told: discard it again',
    'discard-incomplete',
  )
  async discard(
    @Param('id', entryId) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ObjectStoreEntryView> {
    return ObjectStoreEntryView.of(
      await this.store.discard(id, principal.subject),
      this.traceLinks,
    );
  }
}

/** A bulk action names its store: "everything everywhere" is never one click away. */
function requireStore(body: BulkRequest): void {
  if (!body.filter.store) {
    throw new BadRequestException({
      message: 'the request is not valid',
      code: 'validation-failed',
      errors: [{ field: 'filter.store', message: 'filter.store is required' }],
    });
  }
}
