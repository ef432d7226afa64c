import { Piscina } from 'piscina';
import type { EspeakRequest } from './espeak-engine.ts';

/** eSpeak synthesis on a piscina pool of worker threads, one utterance at a time per thread. */
export class EspeakPiscinaPool {
  private readonly piscina: Piscina;

  constructor(size: number) {
    this.piscina = new Piscina({
      filename: new URL('./espeak-piscina-worker.mjs', import.meta.url).href,
      // One thread at first, a second when a sentence waits, both kept: a thread takes about a second to start
      // (TypeScript loader, 5 MB engine, config), which a live call would hear.
      minThreads: 1,
      maxThreads: size,
      idleTimeout: Infinity,
      // The engine is synchronous: a thread speaks one sentence at a time anyway.
      concurrentTasksPerWorker: 1,
    });
  }

  synthesize(text: string, voiceFile: string, speedWpm: number, pitch: number): Promise<Uint8Array> {
    return this.piscina.run({ text, voiceFile, speedWpm, pitch } satisfies EspeakRequest) as Promise<Uint8Array>;
  }

  close(): Promise<void> {
    return this.piscina.destroy();
  }
}
