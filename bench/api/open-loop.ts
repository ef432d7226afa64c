// A constant-rate ("open loop") load generator. autocannon's `overallRate` lets each connection fire its quota for
// the second back to back and then idle until the next second, so "500 rps" arrives as bursts at full concurrency
// and the latency it reports is that of the burst. Here request i is due at start + i / rate whatever happened to the
// earlier ones, and its latency runs from when it was due, so a stalled server cannot hide its queue (the
// coordinated-omission correction wrk2 makes).
import http from 'node:http';

export interface OpenLoopOptions {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  rate: number;
  durationS: number;
}

export interface OpenLoopResult {
  rps: number;
  latenciesMs: number[];
  non2xx: number;
  errors: number;
}

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const target = new URL(options.url);
  const total = Math.round(options.rate * options.durationS);
  const latenciesMs: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let completed = 0;

  const fire = (dueAt: number) =>
    new Promise<void>((resolve) => {
      const request = http.request(target, { method: options.method, headers: options.headers, agent }, (response) => {
        response.resume();
        response.on('end', () => {
          if (response.statusCode! < 200 || response.statusCode! >= 300) non2xx++;
          else latenciesMs.push(performance.now() - dueAt);
          resolve();
        });
      });
      request.on('error', () => {
        errors++;
        resolve();
      });
      request.end(options.body);
    }).finally(() => completed++);

  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  let next = 0;
  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && start + (next * 1000) / options.rate <= now) {
        inFlight.push(fire(start + (next * 1000) / options.rate));
        next++;
      }
      if (next < total) setTimeout(tick, 1);
      else done();
    };
    tick();
  });
  await Promise.all(inFlight);
  const elapsedS = (performance.now() - start) / 1000;
  agent.destroy();
  return { rps: completed / elapsedS, latenciesMs: latenciesMs.sort((a, b) => a - b), non2xx, errors };
}
