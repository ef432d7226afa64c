import { type APIConnectOptions, shortuuid, tts } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import { espeakVoiceFile } from '../../core/voices/espeak-voices.ts';
import { joinSamples } from '../audio/join-samples.ts';
import { type PcmAudio, parseWav } from '../audio/wav.ts';
import { resample } from '../audio/resampler.ts';
import { sharedEspeakPool } from './espeak-pool.ts';
import { splitForEspeak } from './espeak-text.ts';

export interface LocalTTSOptions {
  sampleRateHz: number;
  /** An eSpeak voice id (default en-us). */
  voice?: string;
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

/**
 * eSpeak synthesis (on the shared worker pool) as PCM at the requested rate. Text longer than one eSpeak call takes is
 * spoken piece by piece, one at a time, so a long reply holds one worker, not the whole pool.
 */
export async function synthesizeSpeech(text: string, options: LocalTTSOptions): Promise<Int16Array> {
  const voiceFile = espeakVoiceFile(options.voice ?? 'en-us');
  const pieces: PcmAudio[] = [];
  for (const piece of splitForEspeak(text)) {
    pieces.push(parseWav(await sharedEspeakPool().synthesize(piece, voiceFile, options.speed ?? 175, options.pitch ?? 50)));
  }
  const sampleRateHz = pieces[0]?.sampleRateHz ?? options.sampleRateHz;
  const samples = joinSamples(pieces.map((piece) => piece.samples));
  return sampleRateHz === options.sampleRateHz ? samples : resample(samples, sampleRateHz, options.sampleRateHz);
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
      const samples = await synthesizeSpeech(text, this.options);
      if (this.abortController.signal.aborted) return;
      const requestId = shortuuid('local_tts_');
      // 20 ms frames as views over the one buffer (the library's AudioByteStream copies the remainder per frame).
      const samplesPerFrame = this.options.sampleRateHz / 50;
      const frames: AudioFrame[] = [];
      for (let start = 0; start < samples.length; start += samplesPerFrame) {
        const slice = samples.subarray(start, start + samplesPerFrame);
        frames.push(new AudioFrame(slice, this.options.sampleRateHz, 1, slice.length));
      }
      frames.forEach((frame, index) => {
        this.queue.put({ requestId, segmentId: requestId, frame, final: index === frames.length - 1 });
      });
    } finally {
      this.queue.close();
    }
  }
}
