import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { metricsHandler } from './metrics-handler.ts';
import { sessionStarts } from './session-metrics.ts';
import { jobDuration } from './worker-metrics.ts';

test("a role's own listener answers a Prometheus scrape with the process's metrics in the exposition format", async () => {
  sessionStarts.inc({ transport: 'livekit' });
  jobDuration.observe({ queue: 'evaluation', outcome: 'succeeded' }, 0.2);
  const server = http.createServer((req, res) => void metricsHandler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    assert.match(text, /^# TYPE echosphere_session_starts_total counter$/m);
    assert.match(text, /^echosphere_session_starts_total\{transport="livekit"\} 1$/m);
    assert.match(text, /^echosphere_job_duration_seconds_count\{queue="evaluation",outcome="succeeded"\} 1$/m);
    assert.match(text, /^process_cpu_seconds_total /m, 'with the process metrics');
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
