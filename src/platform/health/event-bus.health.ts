import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { EVENT_BUS_SERVER } from '../event-bus/constants.js';
import { EventBus } from '../event-bus/event-bus.js';
import type { EventBusServer } from '../event-bus/event-bus.server.js';

/**
 * Ready when both sides of the bus reach the broker; says which broker (in-process, or the
 * Redis topology: one node, a Sentinel group's master, a Cluster serving every slot).
 */
@Injectable()
export class EventBusHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly bus: EventBus,
    @Inject(EVENT_BUS_SERVER) private readonly server: EventBusServer,
  ) {}

  async check(key = 'broker') {
    const indicator = this.indicators.check(key);
    const [state, consumer] = await Promise.all([
      this.bus.brokerState().catch(() => undefined),
      this.server.isHealthy().catch(() => false),
    ]);
    const publisher = state?.ok ?? false;
    const about = state
      ? { topology: state.topology, ...(state.detail ? { state: state.detail } : {}) }
      : {};
    return publisher && consumer
      ? indicator.up(about)
      : indicator.down({ publisher, consumer, ...about });
  }
}
