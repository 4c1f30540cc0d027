import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { TracingConfig } from './tracing.config.js';

const PLACEHOLDER = '{traceId}';

/** Links to traces in the operators' tracing backend (`tracing.urlTemplate`), for the admin API. */
export class TraceLinks {
  constructor(private readonly template?: string) {}

  /** The trace's URL, or null without a template or a trace id. */
  url(traceId: string | null | undefined): string | null {
    return this.template && traceId ? this.template.replaceAll(PLACEHOLDER, traceId) : null;
  }
}

/** Provides {@link TraceLinks} everywhere, from `tracing`'s settings. */
@Global()
@Module({})
export class TracingModule {
  static forRoot(tracing: TracingConfig): DynamicModule {
    return {
      module: TracingModule,
      providers: [{ provide: TraceLinks, useValue: new TraceLinks(tracing.urlTemplate) }],
      exports: [TraceLinks],
    };
  }
}
