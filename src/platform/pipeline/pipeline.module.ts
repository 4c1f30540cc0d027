import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { publisherToken } from '../event-bus/constants.js';
import { EventBus } from '../event-bus/event-bus.js';
import { Publisher } from '../event-bus/publisher.js';
import { PipelineDescriptor } from './pipeline-descriptor.js';
import type { PipelineDefinition } from './pipeline-definition.js';

/**
 * Imported by each pipeline's module: marks it as a running pipeline and provides a
 * {@link Publisher} for every event it publishes, stamped with the pipeline's name.
 */
@Module({})
export class PipelineModule {
  static register(pipeline: PipelineDefinition): DynamicModule {
    const publishers: Provider[] = pipeline.publishes.map((event) => ({
      provide: publisherToken(event.name),
      useFactory: (bus: EventBus) => new Publisher(bus, event, pipeline.name),
      inject: [EventBus],
    }));
    const descriptor: Provider = {
      provide: PipelineDescriptor,
      useValue: new PipelineDescriptor(pipeline),
    };
    return {
      module: PipelineModule,
      providers: [descriptor, ...publishers],
      exports: [descriptor, ...publishers.map((p) => (p as { provide: string }).provide)],
    };
  }
}
