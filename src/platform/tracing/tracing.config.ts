import { z } from 'zod';
import { type ConfigOf, defineConfig } from '../config/index.js';

const PLACEHOLDER = '{traceId}';

/** An http(s) URL with `{traceId}` where the trace id goes. */
const urlTemplate = z
  .string()
  .refine(
    (value) =>
      value.includes(PLACEHOLDER) &&
      /^https?:$/.test(
        URL.canParse(value.replaceAll(PLACEHOLDER, '0'.repeat(32)))
          ? new URL(value.replaceAll(PLACEHOLDER, '0'.repeat(32))).protocol
          : '',
      ),
    `an http:// or https:// URL holding ${PLACEHOLDER}, e.g. https://jaeger.example/trace/${PLACEHOLDER}`,
  );

/**
 * What the platform says of traces beyond the `OTEL_*` variables (which the SDK reads): where
 * an operator opens one, for the admin API's links.
 */
export const tracingConfig = defineConfig({
  key: 'tracing',
  schema: z.object({ urlTemplate: urlTemplate.optional() }).strict(),
  defaults: {},
  env: { urlTemplate: { name: 'TRACE_URL_TEMPLATE', parse: 'string' } },
});

export type TracingConfig = ConfigOf<typeof tracingConfig>;
