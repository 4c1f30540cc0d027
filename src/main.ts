/**
 * The entry point. Tracing starts first (when the `OTEL_*` variables configure it), so that its
 * instrumentations hook http, Express, mysql2 and ioredis before anything imports them: the
 * app itself is imported only then, dynamically. No node flag is needed.
 */
import { startTelemetry } from './telemetry.js';

let telemetry;
try {
  telemetry = await startTelemetry();
} catch (error) {
  console.error(
    `Tributary cannot start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
}
const { serve } = await import('./serve.js');
await serve(telemetry);
