import { Piscina } from 'piscina';
import type { EspeakRequest } from './espeak-engine.ts';

/**
 * Runs eSpeak synthesis on worker threads (piscina) shared by every session in the process, one sentence at a time per
 * thread. A thread that dies fails only the sentence it was speaking (a provider error for that session) and piscina
 * starts another. Idle threads are unref'd: an idle pool never keeps the process alive.
 */
export class EspeakPool {
  readonly piscina: Piscina;

  constructor(size: number) {
    this.piscina = new Piscina({
      filename: new URL('./espeak-worker.mjs', import.meta.url).href,
      // One thread at first, a second when a sentence waits, both kept: a thread takes about a second to start
      // (TypeScript loader, 5 MB engine, config), which a live call would hear.
      minThreads: 1,
      maxThreads: size,
      idleTimeout: Infinity,
      // The engine is synchronous: a thread speaks one sentence at a time anyway.
      concurrentTasksPerWorker: 1,
    });
  }

  /** `voiceFile`: the voice's file under `mespeak/voices` (core/voices/espeak-voices.ts). */
  synthesize(text: string, voiceFile: string, speedWpm: number, pitch: number): Promise<Uint8Array> {
    return this.piscina.run({ text, voiceFile, speedWpm, pitch } satisfies EspeakRequest) as Promise<Uint8Array>;
  }

  close(): Promise<void> {
    return this.piscina.destroy();
  }
}

let shared: EspeakPool | undefined;

/** The process-wide pool (two threads: synthesis is bursty, one sentence per request, ~50x real time each). */
export function sharedEspeakPool(): EspeakPool {
  shared ??= new EspeakPool(2);
  return shared;
}
