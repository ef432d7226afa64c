import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseWav } from '../../agent-runtime/audio/wav.ts';
import type { SessionClient } from '../../sdk/session-client.ts';

const FIXTURES = new URL('../fixtures/speech/', import.meta.url);

/** A committed speech fixture (16 kHz mono PCM16). */
export function loadSpeech(name: string): Int16Array {
  const audio = parseWav(readFileSync(fileURLToPath(new URL(`${name}.wav`, FIXTURES))));
  if (audio.sampleRateHz !== 16000 || audio.channels !== 1) throw new Error(`${name}.wav is not 16 kHz mono`);
  return audio.samples;
}

export interface Microphone {
  /** Streams the samples in real time; resolves when the last frame has been sent, rejects when a frame cannot be. */
  say(samples: Int16Array): Promise<void>;
  stop(): void;
}

/**
 * A client microphone: sends one 20 ms frame of 16 kHz PCM16 every 20 ms of wall-clock time — speech while there is
 * some queued, silence otherwise (a real microphone never stops sending, and end of speech is heard as silence).
 */
export function openMicrophone(client: SessionClient, frameMs = 20): Microphone {
  const samplesPerFrame = (16000 * frameMs) / 1000;
  const silence = new Int16Array(samplesPerFrame);
  let queue: Array<{ samples: Int16Array; offset: number; done: () => void; fail: (error: unknown) => void }> = [];
  let stopped = false;
  let failure: unknown;
  const startedAt = performance.now();
  let sentFrames = 0;
  let timer: NodeJS.Timeout | undefined;

  const nextFrame = (): Int16Array => {
    const current = queue[0];
    if (!current) return silence;
    const frame = new Int16Array(samplesPerFrame);
    frame.set(current.samples.subarray(current.offset, current.offset + samplesPerFrame));
    current.offset += samplesPerFrame;
    if (current.offset >= current.samples.length) {
      queue.shift();
      current.done();
    }
    return frame;
  };
  // Frames are due on a fixed schedule from the start; a late timer sends the frames it owes (no drift).
  const pump = () => {
    if (stopped) return;
    const due = Math.floor((performance.now() - startedAt) / frameMs) + 1;
    for (; sentFrames < due; sentFrames++) {
      const frame = nextFrame();
      try {
        client.sendAudio(new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength));
      } catch (error) {
        // The socket is not open (not yet, or no longer): what is queued would never be sent.
        stopped = true;
        failure = error;
        for (const item of queue) item.fail(error);
        queue = [];
        return;
      }
    }
    timer = setTimeout(pump, Math.max(1, startedAt + sentFrames * frameMs - performance.now()));
  };
  pump();
  return {
    say: (samples) =>
      new Promise<void>((resolve, reject) => {
        if (failure) reject(failure);
        else queue.push({ samples, offset: 0, done: resolve, fail: reject });
      }),
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      for (const item of queue) item.done();
      queue = [];
    },
  };
}
