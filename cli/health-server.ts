import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { requestId } from '../api/http/request-context.ts';
import { operationsRoutes } from '../api/routes/operations.ts';
import type { Platform } from '../core/platform.ts';
import { CliError } from './cli-error.ts';

export interface HealthServer {
  port: number;
  stop(): Promise<void>;
}

/**
 * `/healthz`, `/readyz` and `/metrics` on ECHOSPHERE_METRICS_PORT, for a process without the api role (agent or
 * workers alone), whose health and metrics would otherwise be out of reach: the same handlers the api serves.
 */
export async function startHealthServer(platform: Platform): Promise<HealthServer> {
  const { config, db, logger } = platform;
  const app = express();
  app.disable('x-powered-by');
  app.use(requestId, operationsRoutes({ db, logger }));
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new CliError(`Cannot start: the metrics port ${config.metricsPort} on ${config.host} is already in use. Choose another with ECHOSPHERE_METRICS_PORT.`)
          : error,
      ),
    );
    server.listen(config.metricsPort, config.host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
