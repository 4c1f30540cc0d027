import type { EventBus, PublishOptions } from './event-bus.js';
import type { EventDefinition } from './event-definition.js';
import type { EventEnvelope } from './event-envelope.js';

/**
 * A pipeline's typed handle on one event it publishes. Inject it with
 * `@InjectPublisher(event)`; the pipeline module declares it in `publishes`.
 */
export class Publisher<T> {
  constructor(
    private readonly bus: EventBus,
    readonly event: EventDefinition<T>,
    readonly pipeline: string,
  ) {}

  publish(payload: T, options?: PublishOptions): Promise<EventEnvelope<T>> {
    return this.bus.publish(this.event, payload, this.pipeline, options);
  }

  /** Events already published that the slowest subscribing pipeline has yet to finish. */
  backlog(): Promise<number> {
    return this.bus.backlog(this.event);
  }
}
