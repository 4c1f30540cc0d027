import type { DestinationStream } from 'pino';
import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { LogConfig } from './logging.config.js';
import { flowContext } from '../event-bus/flow-context.js';
import { traceLogFields } from '../tracing/tracing.js';

/** Never written to a log line: credentials the caller sent. */
const REDACTED = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

/** Probes scraped every few seconds would drown the log. */
const QUIET_PATHS = /^\/(health\/(live|ready)|metrics)(\?|$)/;

/**
 * JSON logs (pino) for the whole process. Every line written inside a flow — a REST call, or
 * a trigger handling an event — carries the flow's `correlationId` (and the `causationId` of
 * the event being handled), read from `flowContext` when the line is written, and, when
 * tracing is on, the active span's `trace_id` and `span_id`.
 *
 * nestjs-pino keeps one pino instance per process, made by the first app that starts: a
 * second app in the same process (the specs) logs with the first one's level and stream.
 */
@Module({})
export class LoggingModule {
  static forRoot(log: LogConfig, stream?: DestinationStream): DynamicModule {
    const options = {
      level: log.level,
      redact: { paths: REDACTED, censor: '[redacted]' },
      mixin: () => {
        // trace_id and span_id (OpenTelemetry's log data model names) when a span is active.
        const traced = traceLogFields();
        const flow = flowContext.current();
        if (!flow) return traced;
        return flow.causationId
          ? { correlationId: flow.correlationId, causationId: flow.causationId, ...traced }
          : { correlationId: flow.correlationId, ...traced };
      },
      autoLogging: { ignore: (req: { url?: string }) => QUIET_PATHS.test(req.url ?? '') },
      quietReqLogger: true,
    };
    return {
      module: LoggingModule,
      imports: [LoggerModule.forRoot({ pinoHttp: stream ? [options, stream] : options })],
    };
  }
}
