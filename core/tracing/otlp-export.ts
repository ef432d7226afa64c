import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ActiveTracing, TracingConfig } from './tracing.ts';

/** A tracer whose spans are batched to an OTLP/HTTP collector (Jaeger, Tempo, an OpenTelemetry Collector…). */
export function startOtlpExport(config: TracingConfig & { otlpEndpoint: string }): ActiveTracing & { shutdown(): Promise<void> } {
  const url = `${config.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
  const exporter = config.otlpProtocol === 'http/json' ? new OtlpJsonExporter({ url }) : new OtlpProtobufExporter({ url });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  return {
    tracer: provider.getTracer('echosphere'),
    propagator: new W3CTraceContextPropagator(),
    shutdown: () => provider.shutdown(),
  };
}
