import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { PipelineDescriptor } from '../../pipeline/pipeline-descriptor.js';
import { EVENT_TRIGGER_METADATA, TRIGGER_DEFAULTS } from '../constants.js';
import { type TriggerDefaults, triggerSettings } from '../delivery/trigger-settings.js';
import type { TriggerExtras } from '../event-trigger.decorator.js';
import { EventRegistry } from './event-registry.js';

/**
 * Walks the application's providers and controllers at start-up, through Nest's public
 * discovery API, and records every running pipeline, its publishers and its triggers.
 */
@Injectable()
export class EventRegistryExplorer implements OnModuleInit {
  private readonly logger = new Logger('EventRegistry');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly registry: EventRegistry,
    @Inject(TRIGGER_DEFAULTS) private readonly defaults: TriggerDefaults,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      if (wrapper.instance instanceof PipelineDescriptor) {
        const { name, role, description, publishes } = wrapper.instance.pipeline;
        this.registry.addPipeline({
          name,
          role,
          description,
          publishes: publishes.map((e) => e.name),
        });
      }
    }
    for (const wrapper of this.discovery.getControllers()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const extras = this.reflector.get<TriggerExtras | undefined>(
          EVENT_TRIGGER_METADATA,
          instance[method] as () => unknown,
        );
        if (!extras) continue;
        // What the transports run with, defaults applied (no batchSize: not a batch trigger).
        const { maxDeliveries, concurrency, batchSize } = triggerSettings(extras, this.defaults);
        this.registry.addTrigger({
          event: extras.event,
          pipeline: extras.pipeline,
          handler: `${wrapper.name}.${method}`,
          maxDeliveries,
          concurrency,
          batchSize,
        });
      }
    }
    for (const pipeline of this.registry.listPipelines()) {
      const subscribes = pipeline.triggers.map((t) => t.event).join(', ') || 'nothing';
      const publishes = pipeline.publishes.join(', ') || 'nothing';
      this.logger.log(
        `pipeline ${pipeline.name} (${pipeline.role}): subscribes to ${subscribes}; publishes ${publishes}`,
      );
    }
  }
}
