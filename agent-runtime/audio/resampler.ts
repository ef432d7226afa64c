import { AudioFrame, AudioResampler } from '@livekit/rtc-node';
import { joinSamples } from './join-samples.ts';

/**
 * A streaming resampler for 16-bit mono audio: rtc-node's AudioResampler (libsoxr, medium quality), which the runtime
 * already loads for its transports. bench/resampler.ts chose it over linear interpolation: at the rates the platform
 * converts, a 3.4 kHz tone comes out at 83 dB SINAD instead of 20–28 dB, and a tone above the new Nyquist frequency
 * is suppressed by 84 dB instead of folding back at full level, for about 2 ms of CPU per second of audio.
 *
 * Its output is delay-compensated: it keeps the last few milliseconds of a stream until more input arrives, and
 * `flush` hands them out when the stream ends (or pauses: the next input then starts a new stream).
 */
export class StreamResampler {
  private native: AudioResampler | undefined;

  constructor(
    readonly fromHz: number,
    readonly toHz: number,
  ) {}

  process(input: Int16Array): Int16Array {
    if (this.fromHz === this.toHz || input.length === 0) return input;
    this.native ??= new AudioResampler(this.fromHz, this.toHz, 1);
    // A copy when `input` is a view into a larger buffer: AudioFrame hands the native side its array's whole buffer
    // from the start, whatever the view's offset.
    const samples = input.byteOffset === 0 ? input : input.slice();
    return joined(this.native.push(new AudioFrame(samples, this.fromHz, 1, samples.length)));
  }

  /** What the resampler still holds; it is then released (a later `process` starts a new stream). */
  flush(): Int16Array {
    if (!this.native) return new Int16Array(0);
    const tail = joined(this.native.flush());
    this.close();
    return tail;
  }

  /** Releases the native resampler without what it holds. */
  close(): void {
    this.native?.close();
    this.native = undefined;
  }
}

/** A whole signal at another rate. */
export function resample(samples: Int16Array, fromHz: number, toHz: number): Int16Array {
  const resampler = new StreamResampler(fromHz, toHz);
  return joinSamples([resampler.process(samples), resampler.flush()]);
}

function joined(frames: AudioFrame[]): Int16Array {
  return joinSamples(frames.map((frame) => frame.data));
}
