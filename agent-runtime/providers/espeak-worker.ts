import { parentPort } from 'node:worker_threads';
import { type EspeakRequest, synthesizeWav } from './espeak-engine.ts';

export type EspeakMessage = EspeakRequest & { id: number };
export type EspeakResponse = { id: number; wav: Uint8Array } | { id: number; error: string };

const port = parentPort!;

port.on('message', (request: EspeakMessage) => {
  try {
    const wav = synthesizeWav(request);
    port.postMessage({ id: request.id, wav } satisfies EspeakResponse, [wav.buffer as ArrayBuffer]);
  } catch (error) {
    port.postMessage({ id: request.id, error: (error as Error).message } satisfies EspeakResponse);
  }
});
