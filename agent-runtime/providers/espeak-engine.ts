import { createRequire } from 'node:module';
import { ESPEAK_MAX_CHARS } from './espeak-text.ts';

/**
 * The eSpeak engine (mespeak, eSpeak compiled to JS), loaded in each worker thread of the pool: synthesis is
 * synchronous and costs about 1/50 of the audio's duration, which on the main thread would stall every session's
 * pacing and I/O for that long.
 */
interface MeSpeak {
  loadConfig(config: unknown): void;
  loadVoice(voice: unknown): void;
  speak(text: string, options: Record<string, unknown>): ArrayLike<number> | null;
  /** Bytes left in the engine's heap (patches/mespeak+2.0.2.patch). */
  heapHeadroom(): number;
  /** A fresh engine with the loaded config and voices (patches/mespeak+2.0.2.patch). */
  renewEngine(): void;
}

export interface EspeakRequest {
  text: string;
  /** The voice's file under `mespeak/voices`, which is also the id mespeak knows it by once loaded. */
  voiceFile: string;
  speedWpm: number;
  pitch: number;
}

const require = createRequire(import.meta.url);

function loadEngine(): MeSpeak {
  // mespeak warns on load that it is not in a browser (it only needs to produce raw WAV data here); keep logs clean.
  const warn = console.warn;
  console.warn = () => {};
  try {
    const engine = require('mespeak') as MeSpeak;
    engine.loadConfig(require('mespeak/src/mespeak_config.json'));
    return engine;
  } finally {
    console.warn = warn;
  }
}

const engine = loadEngine();
/** Voices are loaded on first use (each file carries its dictionary, up to a few MB) and kept for later sentences. */
const loadedVoices = new Set<string>();

function useVoice(voiceFile: string): void {
  if (loadedVoices.has(voiceFile)) return;
  engine.loadVoice(require(`mespeak/voices/${voiceFile}.json`));
  loadedVoices.add(voiceFile);
}

/**
 * The engine is eSpeak compiled by an early emscripten whose malloc never frees: every call takes 0.6 to 2.3 MB of its
 * fixed 50 MB heap for good (about 80 calls). Past the end, writes are lost and reads are garbage, and a later call
 * dies in its printf with a fatal V8 error that takes the whole process down, whichever thread it runs on. So a call
 * only runs with room to spare, and after a failure (which may have left the engine half-written) the engine is renewed:
 * a new heap with the already-loaded data files, about 6 ms.
 */
const HEAP_RESERVE_BYTES = 8 * 1024 * 1024;

/** One utterance as WAV bytes that own their memory, so they can be transferred to the main thread, not copied. */
export function synthesizeWav(request: EspeakRequest): Uint8Array {
  if (request.text.length > ESPEAK_MAX_CHARS) throw new Error(`eSpeak takes at most ${ESPEAK_MAX_CHARS} characters a call (got ${request.text.length})`);
  if (engine.heapHeadroom() < HEAP_RESERVE_BYTES) engine.renewEngine();
  useVoice(request.voiceFile);
  let wav: ArrayLike<number> | null;
  try {
    wav = engine.speak(request.text, { rawdata: 'buffer', voice: request.voiceFile, speed: request.speedWpm, pitch: request.pitch });
  } catch (error) {
    engine.renewEngine();
    throw error;
  }
  if (!wav) throw new Error('eSpeak produced no audio');
  // A short Buffer is a slice of Node's shared pool, which cannot be transferred (Node 21 and later refuse it in a
  // transfer list): that one is copied out first.
  if (wav instanceof Uint8Array && wav.byteOffset === 0 && wav.byteLength === wav.buffer.byteLength) return wav;
  return Uint8Array.from(wav);
}
