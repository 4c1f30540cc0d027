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
} from '@nestjs/common';
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
import { ApiProblemResponse } from '../../platform/http/index.js';
import { Audited } from '../audit/audited.decorator.js';
import { DEAD_LETTER_ID, EVENT_NAME } from '../shared/identifiers.js';
import { MatchesPipe } from '../shared/pattern.pipe.js';
import { DeadLetterQuery, DeadLetterView, ReplayRequest } from './events.dto.js';

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
      'The newest dead letters, each with the error that killed it; filters apply to those `limit`',
  })
  @ApiOkResponse({ type: [DeadLetterView] })
  async list(@Query() query: DeadLetterQuery): Promise<DeadLetterView[]> {
    const letters = await this.bus.listDeadLetters(query.limit);
    return letters.filter(
      (l) =>
        (!query.event || l.event === query.event) &&
        (!query.pipeline || l.pipeline === query.pipeline),
    );
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
