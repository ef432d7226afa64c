import http from 'node:http';
import { closeServer, listenOnLoopback } from '../support/loopback-server.ts';

/** A span as OTLP/JSON carries it, with its attributes flattened to plain values. */
export interface CollectedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, string | number | boolean>;
  status?: { code?: number; message?: string };
  /** The `service.name` of the resource that sent it. */
  service: string;
}

export interface OtlpCollector {
  /** What OTEL_EXPORTER_OTLP_ENDPOINT is set to: traces arrive at `<url>/v1/traces`. */
  url: string;
  /** Spans decoded from OTLP/JSON exports. */
  spans: CollectedSpan[];
  /** OTLP/protobuf exports, kept as received with their content type. */
  protobufBodies: Buffer[];
  close(): Promise<void>;
}

type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
type KeyValue = { key: string; value: AnyValue };

function plain(value: AnyValue): string | number | boolean {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  return JSON.stringify(value);
}

const flatten = (attributes: KeyValue[] = []) => Object.fromEntries(attributes.map(({ key, value }) => [key, plain(value)]));

/**
 * An OpenTelemetry collector's OTLP/HTTP trace receiver: `POST /v1/traces` with an `ExportTraceServiceRequest` as
 * JSON (decoded into `spans`) or protobuf (kept in `protobufBodies`); answers with an empty export response.
 */
export async function startOtlpCollector(): Promise<OtlpCollector> {
  const spans: CollectedSpan[] = [];
  const protobufBodies: Buffer[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (req.method !== 'POST' || req.url !== '/v1/traces') return void res.writeHead(404).end();
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('application/x-protobuf')) {
      protobufBodies.push(body);
      return void res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    }
    if (!type.startsWith('application/json')) return void res.writeHead(415).end();
    const request = JSON.parse(body.toString('utf8')) as {
      resourceSpans: Array<{ resource?: { attributes?: KeyValue[] }; scopeSpans: Array<{ spans: Array<Record<string, any>> }> }>;
    };
    for (const resourceSpans of request.resourceSpans) {
      const service = String(flatten(resourceSpans.resource?.attributes)['service.name'] ?? '');
      for (const scope of resourceSpans.scopeSpans) {
        for (const span of scope.spans) {
          spans.push({
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId ?? '',
            name: span.name,
            kind: span.kind,
            startTimeUnixNano: String(span.startTimeUnixNano),
            endTimeUnixNano: String(span.endTimeUnixNano),
            attributes: flatten(span.attributes),
            status: span.status,
            service,
          });
        }
      }
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    protobufBodies,
    async close() {
      await closeServer(server);
    },
  };
}
