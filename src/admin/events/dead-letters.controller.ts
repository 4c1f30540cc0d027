import {
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  ApiBody,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { Roles } from '../../platform/auth/index.js';
import {
  DeadLetterAmbiguousError,
  DeadLetterNotFoundError,
  DeadLetterNotReplayableError,
  EventBus,
} from '../../platform/event-bus/index.js';
import { ApiProblemResponse, publicUrl } from '../../platform/http/index.js';
import { Audited } from '../audit/audited.decorator.js';
import { DEAD_LETTER_ID, EVENT_NAME } from '../shared/identifiers.js';
import { MatchesPipe } from '../shared/pattern.pipe.js';
import { findDeadLetters } from './dead-letter-search.js';
import {
  BulkReplayRequest,
  BulkReplayResult,
  DeadLetterQuery,
  DeadLetterView,
  ReplayRequest,
} from './events.dto.js';

const deadLetterId = new MatchesPipe('id', DEAD_LETTER_ID, 41);
const eventName = new MatchesPipe('event', EVENT_NAME, 200, { optional: true });

/** Ids are unique per event's dead letters only: `?event=` says which one an id means. */
const EventQuery = ApiQuery({
  name: 'event',
  required: false,
  example: 'purchase.completed',
  description:
    'The event whose dead letter is meant. Needed only when two events hold a dead letter with this id (answered 409 otherwise)',
});
const AMBIGUOUS = 'More than one event holds a dead letter with this id: name one with `?event=`';

@ApiTags('admin: events')
@Roles('operator')
@Controller('admin/dead-letters')
export class DeadLettersController {
  constructor(private readonly bus: EventBus) {}

  @Get()
  @ApiOperation({
    summary:
      'Dead letters matching the filters, newest first, each with the error that killed it; the next page is in the Link header',
    description:
      'Newest first: by id, then by event name for equal ids (on Redis each event keeps its own dead letters, so two may share an id). One request looks at up to 10,000 dead letters: when it stops before `limit` matched, or `limit` matched, `Link: <...>; rel="next"` gives the URL of the next page (the same filters, `cursor` set to `<id>~<event>` of the last letter looked at). No Link header: nothing older matches.',
  })
  @ApiOkResponse({
    type: [DeadLetterView],
    headers: {
      Link: {
        description: 'The next page: `<url>; rel="next"`; absent on the last page',
        schema: { type: 'string' },
      },
    },
  })
  async list(
    @Query() query: DeadLetterQuery,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<DeadLetterView[]> {
    const { letters, next } = await findDeadLetters(this.bus, query, query.limit, query.cursor);
    if (next) {
      const url = new URL(req.originalUrl, 'http://app');
      url.searchParams.set('cursor', next);
      res.setHeader('Link', `<${publicUrl(req, url.pathname + url.search)}>; rel="next"`);
    }
    return letters;
  }

  // Before the `:id` routes, which would otherwise take `bulk` for an id.
  @Post('bulk/replay')
  @HttpCode(200)
  @Roles('admin')
  @Audited('dead-letter.bulk-replay', 'dead-letter')
  @ApiOperation({
    summary: 'Deliver every dead letter matching the filter again, as it was, to its pipeline',
    description:
      'Looks at up to 10,000 dead letters per request; `more: true` says to send it again for the rest.',
  })
  @ApiOkResponse({ type: BulkReplayResult })
  async bulkReplay(@Body() body: BulkReplayRequest): Promise<BulkReplayResult> {
    const { letters, next } = await findDeadLetters(this.bus, body.filter, Infinity);
    let replayed = 0;
    for (const letter of letters) {
      try {
        // Its event named: another event's dead letter may have the same id.
        await this.bus.replayDeadLetter(letter.id, { event: letter.event });
        replayed++;
      } catch (error) {
        // One replayed or deleted meanwhile, or not an envelope, is skipped and counted.
        if (translate(error) === error) throw error;
      }
    }
    return { replayed, skipped: letters.length - replayed, more: next !== undefined };
  }

  @Post(':id/replay')
  @HttpCode(200)
  @Audited('dead-letter.replay', 'dead-letter', 'id')
  @ApiOperation({
    summary:
      'Deliver a dead letter again to the pipeline that failed it, optionally with an edited payload',
  })
  @ApiParam({ name: 'id', example: '1764150000000-0' })
  // Swagger UI sends the first example by default: the event as it was, never a sample payload.
  @ApiBody({
    type: ReplayRequest,
    examples: {
      'as it was': { summary: 'Replay the event unchanged', value: {} },
      edited: { summary: 'Replace its payload', value: { payload: { orderId: 'A-1', amount: 7 } } },
    },
  })
  @ApiOkResponse({
    type: DeadLetterView,
    description: 'The dead letter as it was, now replayed and gone from the list',
  })
  @ApiProblemResponse(
    404,
    'No dead letter with this id (replayed already, deleted, or trimmed)',
    'dead-letter-not-found',
  )
  @ApiProblemResponse(
    409,
    `The dead letter is not an event envelope and cannot be replayed (dead-letter-not-replayable); or: ${AMBIGUOUS} (dead-letter-ambiguous)`,
    'dead-letter-not-replayable',
  )
  @EventQuery
  async replay(
    @Param('id', deadLetterId) id: string,
    @Query('event', eventName) event: string | undefined,
    @Body() body: ReplayRequest,
  ): Promise<DeadLetterView> {
    try {
      return await this.bus.replayDeadLetter(id, { payload: body.payload, event });
    } catch (error) {
      throw translate(error);
    }
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('admin')
  @Audited('dead-letter.delete', 'dead-letter', 'id')
  @ApiOperation({ summary: 'Delete a dead letter for good' })
  @ApiParam({ name: 'id', example: '1764150000000-0' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblemResponse(404, 'No dead letter with this id', 'dead-letter-not-found')
  @ApiProblemResponse(409, AMBIGUOUS, 'dead-letter-ambiguous')
  @EventQuery
  async delete(
    @Param('id', deadLetterId) id: string,
    @Query('event', eventName) event: string | undefined,
  ): Promise<void> {
    let deleted: boolean;
    try {
      deleted = await this.bus.deleteDeadLetter(id, { event });
    } catch (error) {
      throw translate(error);
    }
    if (!deleted) throw translate(new DeadLetterNotFoundError(id));
  }
}

function translate(error: unknown): unknown {
  if (error instanceof DeadLetterNotFoundError)
    return new NotFoundException({ message: error.message, code: 'dead-letter-not-found' });
  if (error instanceof DeadLetterAmbiguousError)
    return new ConflictException({ message: error.message, code: 'dead-letter-ambiguous' });
  if (error instanceof DeadLetterNotReplayableError)
    return new ConflictException({ message: error.message, code: 'dead-letter-not-replayable' });
  return error;
}
