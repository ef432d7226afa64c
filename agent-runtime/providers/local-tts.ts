import { createRequire } from 'node:module';
import { type APIConnectOptions, AudioByteStream, shortuuid, tts } from '@livekit/agents';
import { AudioFrame, AudioResampler } from '@livekit/rtc-node';
import { parseWav } from '../audio/wav.ts';

const require = createRequire(import.meta.url);

interface MeSpeak {
  loadConfig(config: unknown): void;
  loadVoice(voice: unknown): void;
  speak(text: string, options: Record<string, unknown>): ArrayLike<number> | null;
}

let engine: MeSpeak | undefined;

/** eSpeak (compiled to JS) loads its data once per process; every session shares it. */
function meSpeak(): MeSpeak {
  if (!engine) {
    const loaded = require('mespeak') as MeSpeak;
    loaded.loadConfig(require('mespeak/src/mespeak_config.json'));
    loaded.loadVoice(require('mespeak/voices/en/en-us.json'));
    engine = loaded;
  }
  return engine;
}

export interface LocalTTSOptions {
  sampleRateHz: number;
  /** Words per minute (eSpeak default 175). */
  speed?: number;
  pitch?: number;
}

/**
 * Offline speech synthesis with eSpeak (`mespeak`): robotic but real audio with no key and no network, resampled to
 * the session's rate. Not streaming: the session's sentence adapter calls it once per sentence.
 */
export class LocalTTS extends tts.TTS {
  label = 'echosphere.LocalTTS';

  constructor(private readonly options: LocalTTSOptions) {
    super(options.sampleRateHz, 1, { streaming: false });
  }

  override get model(): string {
    return 'espeak';
  }

  override get provider(): string {
    return 'local';
  }

  synthesize(text: string, connOptions?: APIConnectOptions, abortSignal?: AbortSignal): tts.ChunkedStream {
    return new LocalChunkedStream(this, text, this.options, connOptions, abortSignal);
  }

  stream(): tts.SynthesizeStream {
    throw new Error('LocalTTS synthesizes whole sentences; the session wraps it in a sentence stream adapter');
  }
}

/** eSpeak synthesis as PCM at the requested rate (also used to make test fixtures and by benchmarks). */
export function synthesizeSpeech(text: string, options: LocalTTSOptions): Int16Array {
  const wav = meSpeak().speak(text, { rawdata: 'buffer', speed: options.speed ?? 175, pitch: options.pitch ?? 50 });
  if (!wav) throw new Error('eSpeak produced no audio');
  const audio = parseWav(Buffer.from(wav as Uint8Array));
  if (audio.sampleRateHz === options.sampleRateHz) return audio.samples;
  const resampler = new AudioResampler(audio.sampleRateHz, options.sampleRateHz, 1);
  try {
    const frames: AudioFrame[] = [];
    const chunk = audio.sampleRateHz / 10;
    for (let start = 0; start < audio.samples.length; start += chunk) {
      const slice = audio.samples.slice(start, start + chunk);
      frames.push(...resampler.push(new AudioFrame(slice, audio.sampleRateHz, 1, slice.length)));
    }
    frames.push(...resampler.flush());
    const total = frames.reduce((sum, frame) => sum + frame.data.length, 0);
    const out = new Int16Array(total);
    let offset = 0;
    for (const frame of frames) {
      out.set(frame.data, offset);
      offset += frame.data.length;
    }
    return out;
  } finally {
    resampler.close();
  }
}

class LocalChunkedStream extends tts.ChunkedStream {
  label = 'echosphere.LocalChunkedStream';

  constructor(
    ttsInstance: LocalTTS,
    private readonly sentence: string,
    private readonly options: LocalTTSOptions,
    connOptions?: APIConnectOptions,
    abortSignal?: AbortSignal,
  ) {
    super(sentence, ttsInstance, connOptions, abortSignal);
  }

  protected async run(): Promise<void> {
    try {
      const text = this.sentence.trim();
      if (!text) return;
      const samples = synthesizeSpeech(text, this.options);
      const requestId = shortuuid('local_tts_');
      const byteStream = new AudioByteStream(this.options.sampleRateHz, 1, this.options.sampleRateHz / 50);
      const frames = [
        ...byteStream.write(samples.buffer.slice(samples.byteOffset, samples.byteOffset + samples.byteLength) as ArrayBuffer),
        ...byteStream.flush(),
      ];
      frames.forEach((frame, index) => {
        this.queue.put({ requestId, segmentId: requestId, frame, final: index === frames.length - 1 });
      });
    } finally {
      this.queue.close();
    }
  }
}
