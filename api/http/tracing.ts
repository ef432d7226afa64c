import { defaultTextMapGetter, ROOT_CONTEXT, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ActiveTracing } from '../../core/tracing/tracing.ts';
import { routeTemplate } from './metrics.ts';

/**
 * A server span per HTTP request, named by method and route template, joining the caller's trace when the request
 * carries a W3C `traceparent`. Only mounted while tracing is on.
 */
export function httpTracing({ tracer, propagator }: ActiveTracing): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const parent = propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
    const span = tracer.startSpan(req.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } }, parent);
    res.on('finish', () => {
      const route = routeTemplate(req, res);
      span.updateName(`${req.method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': res.statusCode });
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    next();
  };
}
