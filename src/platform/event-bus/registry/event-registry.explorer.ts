import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
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
    const controllers = this.discovery.getControllers();
    this.refuseTriggersOutsideControllers(controllers);
    for (const wrapper of controllers) {
      const instance = wrapper.instance as object | undefined;
      if (!instance) continue;
      for (const [method, extras] of this.triggersOf(Object.getPrototypeOf(instance) as object)) {
        // What the transports run with, defaults applied (no batchSize: not a batch trigger).
        const { maxDeliveries, concurrency, batchSize, readSize } = triggerSettings(
          extras,
          this.defaults,
        );
        this.registry.addTrigger({
          event: extras.event,
          pipeline: extras.pipeline,
          handler: `${wrapper.name}.${method}`,
          maxDeliveries,
          concurrency,
          batchSize,
          readSize,
          payloadType: extras.payloadType,
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

  /**
   * Nest finds message handlers on controllers only: a trigger on any other provider would
   * never run, and nothing would say so. The start stops instead, naming it.
   */
  private refuseTriggersOutsideControllers(controllers: InstanceWrapper[]): void {
    const controllerTypes = new Set(controllers.map((wrapper) => wrapper.metatype));
    for (const wrapper of this.discovery.getProviders()) {
      if (controllerTypes.has(wrapper.metatype)) continue;
      const prototype = prototypeOf(wrapper);
      if (!prototype) continue;
      const [found] = this.triggersOf(prototype);
      if (!found) continue;
      const [method, extras] = found;
      throw new Error(
        `${wrapper.name}.${method} is a trigger of pipeline '${extras.pipeline}' on event '${extras.event}' ` +
          `in a provider, where Nest never calls it: move it to a @Triggers() class listed in its module's controllers`,
      );
    }
  }

  /** The trigger methods of a class, with what each declares. */
  private triggersOf(prototype: object): [method: string, extras: TriggerExtras][] {
    const methods = prototype as Record<string, unknown>;
    return this.scanner.getAllMethodNames(prototype).flatMap((method) => {
      const extras = this.reflector.get<TriggerExtras | undefined>(
        EVENT_TRIGGER_METADATA,
        methods[method] as () => unknown,
      );
      return extras ? [[method, extras] as [string, TriggerExtras]] : [];
    });
  }
}

/** A provider's class prototype: its instance's, or a request-scoped class's (no instance yet). */
function prototypeOf(wrapper: InstanceWrapper): object | undefined {
  const instance: unknown = wrapper.instance;
  if (instance !== null && typeof instance === 'object')
    return Object.getPrototypeOf(instance) as object;
  if (!wrapper.inject && typeof wrapper.metatype === 'function') {
    return wrapper.metatype.prototype as object | undefined;
  }
  return undefined;
}
