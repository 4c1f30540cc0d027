/**
 * Tracing's start, from the app's own entry point (`main.ts`) and before the app's modules are
 * imported. The SDK loads only when the standard `OTEL_*` variables ask for traces: without
 * them nothing of it is imported, and the platform's `@opentelemetry/api` calls stay no-ops.
 */
export interface Telemetry {
  /** Names the process's pipelines on its resource (`tributary.pipelines`) once known. */
  describePipelines(names: readonly string[]): void;
  /** Sends the spans still queued, then stops; the last step of shutdown. */
  shutdown(): Promise<void>;
}

const OFF: Telemetry = {
  describePipelines() {},
  async shutdown() {},
};

type Env = Record<string, string | undefined>;

/**
 * Whether the variables configure trace export: an OTLP endpoint (general or for traces), the
 * SDK not disabled (`OTEL_SDK_DISABLED=true`) and the traces exporter not `none`.
 */
export function tracingConfigured(env: Env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase();
  if (exporter === 'none') return false;
  return Boolean(
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim(),
  );
}

/** Starts the tracing SDK when {@link tracingConfigured}; else a telemetry that does nothing. */
export async function startTelemetry(env: Env = process.env): Promise<Telemetry> {
  if (!tracingConfigured(env)) return OFF;
  // Imported only when used: a process without tracing never loads the SDK.
  const { startTracingSdk } = await import('./telemetry-sdk.js');
  return startTracingSdk(env);
}
