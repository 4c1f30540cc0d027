import { Inject } from '@nestjs/common';
import { publisherToken } from './constants.js';
import type { EventDefinition } from './event-definition.js';

/**
 * Injects the {@link Publisher} of `event` for the pipeline of the enclosing module, which
 * must list the event in its `publishes`. The publisher knows only the event, never who
 * subscribes to it.
 */
export const InjectPublisher = <T>(event: EventDefinition<T>): ParameterDecorator =>
  Inject(publisherToken(event.name));
