import type { InProcessTransport } from '../../agent-runtime/transport/in-process-transport.ts';

/** The rate of the samples `say` takes (the rate test sessions declare for their input audio). */
export const CALLER_SAMPLE_RATE_HZ = 16000;
const FRAME_MS = 20;
const SAMPLES_PER_FRAME = (CALLER_SAMPLE_RATE_HZ * FRAME_MS) / 1000;

/**
 * A simulated caller's microphone: a 20 ms frame of 16 kHz PCM every 20 ms of wall-clock time, speech while a line is
 * queued and silence otherwise — a real microphone never stops sending, and the end of speech is heard as silence.
 * Frames are timed against the start, so a late timer catches up instead of stretching the audio.
 */
export class CallerMicrophone {
  private queue: Array<{ samples: Int16Array; offset: number; done: () => void }> = [];
  private readonly silence = new Int16Array(SAMPLES_PER_FRAME);
  private readonly startedAt = performance.now();
  private sentFrames = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly transport: InProcessTransport) {
    this.tick();
  }

  /** Streams the samples in real time; resolves when the last of them has been sent. */
  say(samples: Int16Array): Promise<void> {
    return new Promise((resolve) => this.queue.push({ samples, offset: 0, done: resolve }));
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const line of this.queue.splice(0)) line.done();
  }

  private tick(): void {
    const due = Math.floor((performance.now() - this.startedAt) / FRAME_MS);
    while (this.sentFrames <= due) {
      this.transport.pushAudio(this.nextFrame());
      this.sentFrames++;
    }
    this.timer = setTimeout(() => this.tick(), FRAME_MS);
  }

  private nextFrame(): Int16Array {
    const line = this.queue[0];
    if (!line) return this.silence;
    const frame = new Int16Array(SAMPLES_PER_FRAME);
    frame.set(line.samples.subarray(line.offset, line.offset + SAMPLES_PER_FRAME));
    line.offset += SAMPLES_PER_FRAME;
    if (line.offset >= line.samples.length) {
      this.queue.shift();
      line.done();
    }
    return frame;
  }
}
