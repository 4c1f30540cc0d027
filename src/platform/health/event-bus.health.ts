import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { EVENT_BUS_SERVER } from '../event-bus/constants.js';
import { EventBus } from '../event-bus/event-bus.js';
import type { EventBusServer } from '../event-bus/event-bus.server.js';

/** Ready when both sides of the bus reach the broker. */
@Injectable()
export class EventBusHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly bus: EventBus,
    @Inject(EVENT_BUS_SERVER) private readonly server: EventBusServer,
  ) {}

  async check(key = 'broker') {
    const indicator = this.indicators.check(key);
    const [publisher, consumer] = await Promise.all([
      this.bus.isHealthy().catch(() => false),
      this.server.isHealthy().catch(() => false),
    ]);
    return publisher && consumer ? indicator.up() : indicator.down({ publisher, consumer });
  }
}
