import type { TextMapPropagator, Tracer } from '@opentelemetry/api';

export interface TracingConfig {
  /** OTLP/HTTP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`); traces go to `<endpoint>/v1/traces`. Unset: no tracing. */
  otlpEndpoint: string | undefined;
  /** `OTEL_EXPORTER_OTLP_PROTOCOL`: protobuf (the OTLP default) or JSON. */
  otlpProtocol: 'http/protobuf' | 'http/json';
  /** `OTEL_SERVICE_NAME`, the `service.name` of every span. */
  serviceName: string;
}

export interface ActiveTracing {
  tracer: Tracer;
  /** W3C trace context (`traceparent`), so a request's spans join the caller's trace. */
  propagator: TextMapPropagator;
}

let active: ActiveTracing | undefined;

/** The process's tracing while an OTLP endpoint is configured; undefined otherwise, and then nothing builds spans. */
export function activeTracing(): ActiveTracing | undefined {
  return active;
}

/**
 * Starts exporting spans when an endpoint is configured. The OpenTelemetry SDK and exporter are imported only then,
 * so a process without tracing neither loads nor runs any of it. Resolves to a function that flushes the spans still
 * buffered and stops.
 */
export async function startTracing(config: TracingConfig): Promise<() => Promise<void>> {
  if (!config.otlpEndpoint) return async () => {};
  const { startOtlpExport } = await import('./otlp-export.ts');
  const exporting = startOtlpExport({ ...config, otlpEndpoint: config.otlpEndpoint });
  active = exporting;
  return async () => {
    if (active === exporting) active = undefined;
    await exporting.shutdown();
  };
}
