import type { NextFunction, Request, Response } from 'express';
import client from 'prom-client';
import { registry } from '../../core/metrics/registry.ts';

const requests = new client.Counter({
  name: 'echosphere_http_requests_total',
  help: 'HTTP requests by route template, method and status code',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});

const duration = new client.Histogram({
  name: 'echosphere_http_request_duration_seconds',
  help: 'HTTP request latency by route template and method',
  labelNames: ['method', 'route'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});

/** Labels by route template (`/v1/assistants/:id`), never by raw path, so label cardinality stays bounded. */
export function httpMetrics(req: Request, res: Response, next: NextFunction): void {
  const start = process.hrtime.bigint();
  res.on('finish', () => {
    const route = routeTemplate(req, res);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    requests.inc({ method: req.method, route, status: String(res.statusCode) });
    duration.observe({ method: req.method, route }, seconds);
  });
  next();
}

/** The route template that answered (`/v1/assistants/:id`), `unmatched` when none did; read once the response finished. */
export function routeTemplate(req: Request, res: Response): string {
  const routePath = req.route?.path as string | undefined;
  const mountPath = (res.locals.mountPath as string | undefined) ?? '';
  return routePath ? (routePath === '/' && mountPath ? mountPath : `${mountPath}${routePath}`) : 'unmatched';
}

/** Express restores `req.baseUrl` when an error leaves a router; each router notes its mount path for the labels. */
export function rememberMountPath(req: Request, res: Response, next: NextFunction): void {
  res.locals.mountPath = req.baseUrl;
  next();
}
