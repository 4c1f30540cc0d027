import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { BusObservers } from './bus-observers.js';
import {
  EVENT_BUS_CLIENT,
  EVENT_BUS_OPTIONS,
  EVENT_BUS_SERVER,
  TRIGGER_DEFAULTS,
} from './constants.js';
import type { TriggerDefaults } from './delivery/trigger-settings.js';
import type { BusConfig, ShutdownConfig } from './event-bus.config.js';
import { type RedisConfig, topologyOf } from '../redis/index.js';
import { EventBus, type EventBusOptions } from './event-bus.js';
import { EventRegistry } from './registry/event-registry.js';
import { EventRegistryExplorer } from './registry/event-registry.explorer.js';
import { InProcessBroker } from './transports/in-process/in-process.broker.js';
import { InProcessClient } from './transports/in-process/in-process.client.js';
import { InProcessServer } from './transports/in-process/in-process.server.js';
import { RedisStreamsClient } from './transports/redis-streams/redis-streams.client.js';
import { RedisStreamsServer } from './transports/redis-streams/redis-streams.server.js';

/**
 * The event bus: Redis configured (`REDIS_URL`, `REDIS_SENTINELS` or `REDIS_CLUSTER_NODES`)
 * selects the Redis Streams transport, none the in-process one. Provides the transport's client (behind {@link EventBus}) and its server, which the
 * bootstrap connects as the application's microservice.
 */
@Global()
@Module({})
export class EventBusModule {
  static forRoot(bus: BusConfig, shutdown: ShutdownConfig, redis: RedisConfig): DynamicModule {
    const durable = topologyOf(redis) !== undefined;
    const transport: Provider[] = durable
      ? [
          {
            provide: EVENT_BUS_CLIENT,
            useFactory: () => new RedisStreamsClient(bus, redis),
          },
          {
            provide: EVENT_BUS_SERVER,
            useFactory: (o: BusObservers, r: EventRegistry) =>
              new RedisStreamsServer(bus, shutdown.timeoutMs, o, r, redis),
            inject: [BusObservers, EventRegistry],
          },
        ]
      : [
          { provide: InProcessBroker, useFactory: () => new InProcessBroker(bus) },
          {
            provide: EVENT_BUS_CLIENT,
            useFactory: (b: InProcessBroker) => new InProcessClient(b),
            inject: [InProcessBroker],
          },
          {
            provide: EVENT_BUS_SERVER,
            useFactory: (b: InProcessBroker, o: BusObservers, r: EventRegistry) =>
              new InProcessServer(bus, shutdown.timeoutMs, o, r, b),
            inject: [InProcessBroker, BusObservers, EventRegistry],
          },
        ];
    const options: EventBusOptions = {
      maxHops: bus.maxHops,
      claimIdleMs: bus.claimIdleMs,
      durable,
    };
    const triggerDefaults: TriggerDefaults = bus;
    return {
      module: EventBusModule,
      imports: [DiscoveryModule],
      providers: [
        { provide: EVENT_BUS_OPTIONS, useValue: options },
        { provide: TRIGGER_DEFAULTS, useValue: triggerDefaults },
        { provide: BusObservers, useValue: new BusObservers() },
        ...transport,
        EventBus,
        EventRegistry,
        EventRegistryExplorer,
      ],
      exports: [EVENT_BUS_CLIENT, EVENT_BUS_SERVER, EventBus, EventRegistry, BusObservers],
    };
  }
}
