import { stream, voice } from '@livekit/agents';
import { AudioFrame, AudioResampler } from '@livekit/rtc-node';

/** The rate the runtime works at internally: what VAD models and STT providers take natively. */
export const PIPELINE_SAMPLE_RATE_HZ = 16000;

/**
 * Client microphone audio into the session. Frames arrive in the client's format (decoded by the transport) and are
 * resampled once here to 16 kHz, so VAD and STT each receive their native rate and need no resampler of their own.
 */
export class WebSocketAudioInput extends voice.AudioInput {
  private readonly channel = stream.createStreamChannel<AudioFrame>();
  private readonly resampler: AudioResampler | undefined;
  private closed = false;
  /** Total client audio received, for usage (`audio_in_ms`). */
  receivedMs = 0;

  constructor(private readonly inputSampleRateHz: number) {
    super();
    this.resampler = inputSampleRateHz === PIPELINE_SAMPLE_RATE_HZ ? undefined : new AudioResampler(inputSampleRateHz, PIPELINE_SAMPLE_RATE_HZ, 1);
    this.multiStream.addInputStream(this.channel.stream());
  }

  pushSamples(samples: Int16Array): void {
    if (this.closed || samples.length === 0) return;
    this.receivedMs += (samples.length / this.inputSampleRateHz) * 1000;
    const frame = new AudioFrame(samples, this.inputSampleRateHz, 1, samples.length);
    const frames = this.resampler ? this.resampler.push(frame) : [frame];
    for (const out of frames) {
      // Not awaited: the session reads continuously; a write only settles once it has been read.
      this.channel.write(out).catch(() => {});
    }
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.resampler?.close();
    await this.channel.close().catch(() => {});
    await super.close();
  }
}
