import type { BeforeApplicationShutdown } from '@nestjs/common';
import { Server } from '@nestjs/microservices';
import type { BusConfig } from './event-bus.config.js';
import type { BusObservers } from './bus-observers.js';
import { bindTriggers, type TriggerBinding } from './delivery/trigger-binding.js';
import { triggerPattern } from './event-trigger.decorator.js';
import type { EventRegistry } from './registry/event-registry.js';

export type EventBusStatus = 'listening' | 'draining' | 'closed' | 'error';

/**
 * What the event bus transports share on top of Nest's `Server`: the registry's triggers bound
 * to the handlers Nest registered for them, and a drain step run before shutdown (stop taking events, finish
 * those in hand, flush acknowledgements) so that connections close only afterwards.
 */
export abstract class EventBusServer
  extends Server<Record<string, Function>, EventBusStatus>
  implements BeforeApplicationShutdown
{
  /** Handler failures come back to the transport: it decides on redelivery. */
  override readonly propagatesEventHandlerErrors = true;

  protected constructor(
    protected readonly config: BusConfig,
    private readonly drainTimeoutMs: number,
    protected readonly observers: BusObservers,
    private readonly registry: EventRegistry,
  ) {
    super();
  }

  /** Whether the broker answers; used by the readiness check. */
  abstract isHealthy(): Promise<boolean>;

  /** Stops consuming and waits for handlers in flight, at most `timeoutMs`. */
  abstract drain(timeoutMs: number): Promise<void>;

  async beforeApplicationShutdown(): Promise<void> {
    this._status$.next('draining');
    await this.drain(this.drainTimeoutMs);
  }

  protected triggerBindings(): TriggerBinding[] {
    return bindTriggers(this.registry.listTriggers(), ({ event, pipeline }) =>
      this.messageHandlers.get(this.normalizePattern(triggerPattern(event, pipeline))),
    );
  }

  override on(): never {
    throw new Error('the event bus server has no events to listen to; use `status`');
  }
}
