import client from 'prom-client';
import { registry } from './registry.ts';

export const webhookDeliveries = new client.Counter({
  name: 'echosphere_webhook_deliveries_total',
  help: 'Webhook delivery attempts, by outcome: succeeded, retrying (failed, tried again later), failed (given up), skipped (endpoint disabled)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const webhookDeliveryDuration = new client.Histogram({
  name: 'echosphere_webhook_delivery_duration_seconds',
  help: 'Time from sending a webhook to its response (or timeout)',
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

export const webhookEndpointsDisabled = new client.Counter({
  name: 'echosphere_webhook_endpoints_disabled_total',
  help: 'Webhook endpoints disabled for failing too long',
  registers: [registry],
});

/** Where the backlog is read at each scrape: the queues this process works. */
const depthSources = new Set<() => Promise<Record<string, number>>>();

new client.Gauge({
  name: 'echosphere_queue_depth',
  help: 'Jobs waiting on the job queue, by queue (database and pg-boss queues)',
  labelNames: ['queue'] as const,
  // Every process that works a queue sees the same backlog: a process group reports it once, not summed.
  aggregator: 'max',
  registers: [registry],
  async collect() {
    this.reset();
    for (const source of depthSources) {
      // A scrape during a database outage still answers, without the backlog.
      const depths = await source().catch(() => ({}) as Record<string, number>);
      for (const [queue, waiting] of Object.entries(depths)) this.set({ queue }, waiting);
    }
  },
});

/** Reports a queue backend's backlog on every scrape until the returned function is called. */
export function watchQueueDepth(source: () => Promise<Record<string, number>>): () => void {
  depthSources.add(source);
  return () => depthSources.delete(source);
}

export const jobDuration = new client.Histogram({
  name: 'echosphere_job_duration_seconds',
  help: 'Time a job handler ran, by queue and outcome (succeeded, failed)',
  labelNames: ['queue', 'outcome'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [registry],
});

export const transcodeSecondsPerRecordingMinute = new client.Histogram({
  name: 'echosphere_transcode_seconds_per_recording_minute',
  help: 'Transcoding time of a recording divided by its length in minutes',
  buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
  registers: [registry],
});

export const evaluationDuration = new client.Histogram({
  name: 'echosphere_evaluation_duration_seconds',
  help: 'Time a session evaluation attempt took, by outcome (completed, skipped, failed, retrying: it threw and runs again)',
  labelNames: ['outcome'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  registers: [registry],
});

export const evaluationFailures = new client.Counter({
  name: 'echosphere_evaluation_failures_total',
  help: 'Session evaluations that ended failed (the judge failed, or the last attempt threw)',
  registers: [registry],
});
