import { Worker } from 'node:worker_threads';
import type { EspeakMessage, EspeakResponse } from './espeak-worker.ts';

/**
 * Runs eSpeak synthesis on worker threads shared by every session in the process. Requests go to the worker with the
 * fewest in flight. Workers are unref'd: an idle pool never keeps the process alive.
 */
export class EspeakPool {
  private readonly workers: Array<{ worker: Worker; inFlight: number }> = [];
  private readonly pending = new Map<number, { resolve: (wav: Uint8Array) => void; reject: (error: Error) => void; slot: { inFlight: number } }>();
  private nextId = 1;

  constructor(private readonly size: number) {}

  /** `voiceFile`: the voice's file under `mespeak/voices` (core/voices/espeak-voices.ts). */
  synthesize(text: string, voiceFile: string, speedWpm: number, pitch: number): Promise<Uint8Array> {
    const slot = this.pickWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slot });
      slot.inFlight++;
      slot.worker.ref();
      slot.worker.postMessage({ id, text, voiceFile, speedWpm, pitch } satisfies EspeakMessage);
    });
  }

  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map(({ worker }) => worker.terminate()));
  }

  private pickWorker(): { worker: Worker; inFlight: number } {
    if (this.workers.length < this.size && this.workers.every((slot) => slot.inFlight > 0)) return this.spawn();
    return this.workers.reduce((best, slot) => (slot.inFlight < best.inFlight ? slot : best), this.workers[0]!);
  }

  private spawn(): { worker: Worker; inFlight: number } {
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: { loader: import.meta.resolve('tsx/esm/api'), entry: new URL('./espeak-worker.ts', import.meta.url).href },
    });
    const slot = { worker, inFlight: 0 };
    worker.unref();
    worker.on('message', (response: EspeakResponse) => {
      const request = this.pending.get(response.id);
      if (!request) return;
      this.pending.delete(response.id);
      if (--slot.inFlight === 0) worker.unref();
      if ('error' in response) request.reject(new Error(response.error));
      else request.resolve(response.wav);
    });
    worker.on('error', (error) => this.failWorker(slot, error));
    worker.on('exit', (code) => this.failWorker(slot, new Error(`eSpeak worker exited with code ${code}`)));
    this.workers.push(slot);
    return slot;
  }

  /** A dead worker fails what it was doing and leaves the pool; the next request spawns a fresh one. */
  private failWorker(slot: { worker: Worker; inFlight: number }, error: Error): void {
    const index = this.workers.indexOf(slot);
    if (index >= 0) this.workers.splice(index, 1);
    for (const [id, request] of this.pending) {
      if (request.slot !== slot) continue;
      this.pending.delete(id);
      request.reject(error);
    }
  }
}

/**
 * Worker threads do not inherit the TypeScript loader the main thread registered (bin/echosphere.mjs), so the worker
 * registers it before importing its TypeScript entry.
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.loader)
  .then(({ register }) => register())
  .then(() => import(workerData.entry));
`;

let shared: EspeakPool | undefined;

/** The process-wide pool (two workers: synthesis is bursty, one sentence per request, ~50x real time each). */
export function sharedEspeakPool(): EspeakPool {
  shared ??= new EspeakPool(2);
  return shared;
}
