import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { type EventDefinition, EventRegistry } from '../../platform/event-bus/index.js';
import { PipelineDescriptor } from '../../platform/pipeline/index.js';

/**
 * The events this process knows, with their payload classes where a running pipeline
 * publishes them, so that an event published from the admin API is checked like a
 * publisher's would be.
 */
@Injectable()
export class EventCatalogue implements OnModuleInit {
  private readonly definitions = new Map<string, EventDefinition>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly registry: EventRegistry,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!(instance instanceof PipelineDescriptor)) continue;
      for (const event of instance.pipeline.publishes) this.definitions.set(event.name, event);
    }
  }

  /** The event's definition; undefined when no running pipeline publishes or subscribes to it. */
  find(name: string): EventDefinition | undefined {
    const known = this.registry.listEvents().some((event) => event.name === name);
    if (!known) return undefined;
    return this.definitions.get(name) ?? { name };
  }
}
