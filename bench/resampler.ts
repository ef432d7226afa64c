// Resamplers: the linear interpolation the recorder used (copied below) against rtc-node's AudioResampler (libsoxr),
// which agent-runtime/audio/resampler.ts now wraps for every conversion. Quality is measured on pure tones, CPU on
// 20 ms frames of a speech-like signal; both at the rate conversions the platform performs.
// Usage: npm run bench:resampler (BENCH_SECONDS of audio per CPU run, default 60).
import { AudioFrame, AudioResampler, AudioResamplerQuality, dispose } from '@livekit/rtc-node';
import { joinSamples } from '../agent-runtime/audio/join-samples.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);

/** The recorder's resampler before: linear interpolation between neighbouring samples, with no filter. */
class LinearResampler {
  private readonly step: number;
  private position = 0;
  private previous = 0;

  constructor(
    readonly fromHz: number,
    readonly toHz: number,
  ) {
    this.step = fromHz / toHz;
  }

  process(input: Int16Array): Int16Array {
    if (this.fromHz === this.toHz) return input;
    // `position` is measured in input samples relative to input[0]; -1 refers to `previous`.
    const output = new Int16Array(Math.max(0, Math.ceil((input.length - this.position) / this.step) + 1));
    let count = 0;
    while (this.position < input.length - 1 + 1e-9) {
      const index = Math.floor(this.position);
      const fraction = this.position - index;
      const a = index < 0 ? this.previous : input[index]!;
      const b = input[Math.min(index + 1, input.length - 1)]!;
      output[count++] = Math.round(a + (b - a) * fraction);
      this.position += this.step;
    }
    this.position -= input.length;
    if (input.length > 0) this.previous = input[input.length - 1]!;
    return output.subarray(0, count);
  }
}

/** Where the platform converts: microphone to recording, voices to recording, WebRTC to recording, clip to microphone. */
const CONVERSIONS: Array<[number, number, string]> = [
  [16_000, 24_000, 'caller (16 kHz) into the recording'],
  [22_050, 24_000, 'eSpeak voice (22.05 kHz) into the recording'],
  [48_000, 24_000, 'WebRTC (48 kHz) into the recording'],
  [24_000, 16_000, 'recorded clip to a 16 kHz microphone'],
];

interface Resampler {
  /** One frame in; whatever the resampler has ready out. */
  process(frame: Int16Array): Int16Array;
  close(): void;
}

function linear(fromHz: number, toHz: number): Resampler {
  const resampler = new LinearResampler(fromHz, toHz);
  return { process: (frame) => resampler.process(frame), close: () => {} };
}

function sox(fromHz: number, toHz: number, quality: AudioResamplerQuality): Resampler {
  const resampler = new AudioResampler(fromHz, toHz, 1, quality);
  return {
    process(frame) {
      // A copy: AudioFrame hands its array's whole buffer to the native side, whatever the view's offset.
      return joinSamples(resampler.push(new AudioFrame(frame.slice(), fromHz, 1, frame.length)).map((piece) => piece.data));
    },
    close: () => resampler.close(),
  };
}

const RESAMPLERS: Array<[string, (fromHz: number, toHz: number) => Resampler]> = [
  ['linear (before)', linear],
  ['rtc-node quick', (fromHz, toHz) => sox(fromHz, toHz, AudioResamplerQuality.QUICK)],
  ['rtc-node medium (default)', (fromHz, toHz) => sox(fromHz, toHz, AudioResamplerQuality.MEDIUM)],
];

function tone(hz: number, rateHz: number, seconds: number, amplitude = 12_000): Int16Array {
  return Int16Array.from({ length: Math.round(rateHz * seconds) }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rateHz)));
}

/** A speech-like signal: a few harmonics of a gliding pitch under a syllable-rate envelope, with a little noise. */
function speechLike(rateHz: number, seconds: number): Int16Array {
  let phase = 0;
  return Int16Array.from({ length: Math.round(rateHz * seconds) }, (_, i) => {
    const t = i / rateHz;
    phase += (2 * Math.PI * (140 + 40 * Math.sin(2 * Math.PI * 0.7 * t))) / rateHz;
    const envelope = 0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t);
    const voiced = Math.sin(phase) + 0.5 * Math.sin(3 * phase) + 0.25 * Math.sin(7 * phase);
    return Math.round(6000 * envelope * voiced + 300 * (Math.random() - 0.5));
  });
}

/** Runs a whole signal through in 20 ms frames, as the recorder and the transports do. */
function resampleAll(make: () => Resampler, input: Int16Array, fromHz: number): Int16Array {
  const resampler = make();
  const frame = fromHz / 50;
  const pieces: Int16Array[] = [];
  for (let start = 0; start < input.length; start += frame) pieces.push(resampler.process(input.subarray(start, start + frame)));
  resampler.close();
  return joinSamples(pieces);
}

/**
 * Signal to noise and distortion of a resampled tone, in dB: the best-fitting sine of the tone's frequency (any phase,
 * so the resampler's delay does not count) against what is left. The first and last 100 ms are left out.
 */
function sinad(output: Int16Array, hz: number, rateHz: number): number {
  const body = output.subarray(rateHz / 10, output.length - rateHz / 10);
  let ss = 0;
  let cc = 0;
  let sc = 0;
  let ys = 0;
  let yc = 0;
  body.forEach((y, i) => {
    const s = Math.sin((2 * Math.PI * hz * i) / rateHz);
    const c = Math.cos((2 * Math.PI * hz * i) / rateHz);
    ss += s * s;
    cc += c * c;
    sc += s * c;
    ys += y * s;
    yc += y * c;
  });
  const det = ss * cc - sc * sc;
  const a = (ys * cc - yc * sc) / det;
  const b = (yc * ss - ys * sc) / det;
  let signal = 0;
  let residual = 0;
  body.forEach((y, i) => {
    const fit = a * Math.sin((2 * Math.PI * hz * i) / rateHz) + b * Math.cos((2 * Math.PI * hz * i) / rateHz);
    signal += fit * fit;
    residual += (y - fit) ** 2;
  });
  return 10 * Math.log10(signal / residual);
}

const power = (samples: Int16Array) => samples.reduce((sum, value) => sum + value * value, 0) / Math.max(1, samples.length);

/** How loud a tone above the output's Nyquist frequency comes out (it should not: it can only come out as an alias). */
function aliasDb(make: () => Resampler, fromHz: number, toHz: number): number {
  const hz = 0.5 * toHz + 0.3 * (0.5 * fromHz - 0.5 * toHz);
  const input = tone(hz, fromHz, 1);
  const output = resampleAll(make, input, fromHz).subarray(toHz / 10, -toHz / 10);
  return 10 * Math.log10(power(output) / power(input));
}

/** Milliseconds from a click going in to its peak coming out. */
function delayMs(make: () => Resampler, fromHz: number, toHz: number): number {
  const input = new Int16Array(fromHz / 2);
  input[fromHz / 10] = 30_000;
  const output = resampleAll(make, input, fromHz);
  let peak = 0;
  output.forEach((value, i) => {
    if (Math.abs(value) > Math.abs(output[peak]!)) peak = i;
  });
  return (peak / toHz - 0.1) * 1000;
}

/** CPU per second of audio, in microseconds (best of three). */
function cpuUsPerAudioSecond(make: () => Resampler, input: Int16Array, fromHz: number): number {
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const started = process.hrtime.bigint();
    resampleAll(make, input, fromHz);
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1000 / SECONDS);
  }
  return best;
}

const rows: Array<Record<string, string>> = [];
for (const [fromHz, toHz, where] of CONVERSIONS) {
  const speech = speechLike(fromHz, SECONDS);
  for (const [name, make] of RESAMPLERS) {
    const make1 = () => make(fromHz, toHz);
    const at = (hz: number) => sinad(resampleAll(make1, tone(hz, fromHz, 1), fromHz), hz, toHz).toFixed(1);
    rows.push({
      conversion: `${fromHz / 1000} → ${toHz / 1000} kHz`,
      resampler: name,
      'SINAD 440 Hz (dB)': at(440),
      'SINAD 3.4 kHz (dB)': at(3400),
      'SINAD 0.4 × lower rate (dB)': at(Math.min(fromHz, toHz) * 0.4),
      'alias above Nyquist (dB)': fromHz > toHz ? aliasDb(make1, fromHz, toHz).toFixed(1) : '—',
      'delay (ms)': delayMs(make1, fromHz, toHz).toFixed(2),
      'CPU µs per audio s': cpuUsPerAudioSecond(make1, speech, fromHz).toFixed(0),
    });
  }
  console.error(`measured ${where}`);
}
console.table(rows);
await dispose();
