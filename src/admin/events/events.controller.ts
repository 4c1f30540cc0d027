import {
  BadRequestException,
  Body,
  Controller,
  Get,
  NotFoundException,
  Param,
  Post,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { Roles } from '../../platform/auth/index.js';
import { EventBus, EventRegistry } from '../../platform/event-bus/index.js';
import { ApiProblemResponse, type FieldError } from '../../platform/http/index.js';
import { Audited } from '../audit/audited.decorator.js';
import { EVENT_NAME } from '../shared/identifiers.js';
import { MatchesPipe } from '../shared/pattern.pipe.js';
import { EventCatalogue } from './event-catalogue.js';
import { EventView, PublishedView, PublishTestEventRequest } from './events.dto.js';

/** Where admin-published events say they come from. */
const ADMIN_SOURCE = 'admin';

@ApiTags('admin: events')
@Roles('operator')
@Controller('admin/events')
export class EventsController {
  constructor(
    private readonly registry: EventRegistry,
    private readonly bus: EventBus,
    private readonly catalogue: EventCatalogue,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Every event: who publishes and subscribes, stream length, and each group’s pending count and lag',
  })
  @ApiOkResponse({ type: [EventView] })
  async list(): Promise<EventView[]> {
    const streams = new Map((await this.bus.describeStreams()).map((s) => [s.event, s]));
    const events = new Map(this.registry.listEvents().map((e) => [e.name, e]));
    const names = [...new Set([...events.keys(), ...streams.keys()])].sort();
    return names.map((name) => ({
      name,
      publishers: events.get(name)?.publishers ?? [],
      subscribers: events.get(name)?.subscribers ?? [],
      length: streams.get(name)?.length ?? 0,
      groups: streams.get(name)?.groups ?? [],
    }));
  }

  @Post(':name/publish')
  @Roles('admin')
  @Audited('event.publish', 'event', 'name')
  @ApiOperation({
    summary: 'Publish a test event, as a pipeline of this process would (source "admin")',
  })
  @ApiParam({ name: 'name', example: 'purchase.completed' })
  @ApiCreatedResponse({ type: PublishedView })
  @ApiProblemResponse(
    404,
    'No running pipeline publishes or subscribes to this event',
    'event-not-found',
  )
  async publish(
    @Param('name', new MatchesPipe('name', EVENT_NAME)) name: string,
    @Body() body: PublishTestEventRequest,
  ): Promise<PublishedView> {
    const event = this.catalogue.find(name);
    if (!event)
      throw new NotFoundException({
        message: `no running pipeline publishes or subscribes to '${name}'`,
        code: 'event-not-found',
      });
    let payload: unknown = body.payload;
    if (event.payloadType) {
      const instance = plainToInstance(event.payloadType, body.payload) as object;
      const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true });
      if (errors.length > 0) {
        throw new BadRequestException({
          message: `the payload does not match '${name}'`,
          code: 'validation-failed',
          errors: fieldErrors(errors, 'payload'),
        });
      }
      payload = instance;
    }
    const envelope = await this.bus.publish(event, payload, ADMIN_SOURCE);
    return { eventId: envelope.id, correlationId: envelope.correlationId };
  }
}

function fieldErrors(errors: ValidationError[], parent: string): FieldError[] {
  return errors.flatMap((error) => {
    const field = `${parent}.${error.property}`;
    return [
      ...Object.values(error.constraints ?? {}).map((message) => ({ field, message })),
      ...fieldErrors(error.children ?? [], field),
    ];
  });
}
