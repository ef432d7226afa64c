import client from 'prom-client';

/**
 * The one Prometheus registry of the process, whatever roles it runs: the api role serves it at `/metrics`, the
 * agent and workers roles through `metricsHandler`. Every metric of EchoSphere registers here (see
 * docs/operations.md); labels are bounded sets, never session or organization ids.
 */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });
