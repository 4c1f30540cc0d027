import { ApiPropertyOptional } from '@nestjs/swagger';

const EXAMPLE_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

/** `traceId` of an admin answer: the OpenTelemetry trace of what it shows, `of` says which. */
export const ApiTraceId = (of: string) =>
  ApiPropertyOptional({
    nullable: true,
    description: `The trace of ${of} (OpenTelemetry); null when it was not traced`,
    example: EXAMPLE_TRACE_ID,
  });

/** `traceUrl` of an admin answer: `traceId` in the tracing backend (`TRACE_URL_TEMPLATE`). */
export const ApiTraceUrl = () =>
  ApiPropertyOptional({
    nullable: true,
    description: 'The trace in the tracing backend (TRACE_URL_TEMPLATE); null without either',
    example: `https://jaeger.example/trace/${EXAMPLE_TRACE_ID}`,
  });
