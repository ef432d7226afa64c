import type { IncomingMessage, ServerResponse } from 'node:http';
import { registry } from './registry.ts';

/** Answers a Prometheus scrape with this process's metrics (for a role's own HTTP listener). */
export async function metricsHandler(_req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const text = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType }).end(text);
  } catch (error) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics unavailable: ${String(error)}\n`);
  }
}
