/**
 * Recorder — captures one session as stereo audio (user left, assistant right) at RECORDING_SAMPLE_RATE_HZ (24 kHz)
 * and writes it to storage while the session runs.
 *
 *   const recorder = new Recorder({ storage, prefix: recordingPrefix(orgId, sessionId), sampleRateHz: 16000 });
 *   recorder.writeUser(pcm, atMs);        // every input frame, atMs = its offset from the session start
 *   recorder.writeAssistant(pcm, atMs);   // every output frame *as it is played out*, atMs = when the user hears it
 *   const { durationMs, prefix, chunkCount } = await recorder.finish();   // at session end
 *
 * - `pcm` is 16-bit mono at `sampleRateHz` (per channel overridable: `userSampleRateHz`, `assistantSampleRateHz`);
 *   it is resampled to 24 kHz.
 * - Placement follows `atMs`. A frame that starts within 40 ms of where the channel's previous frame ended is
 *   butted against it, so timer jitter never opens gaps or clicks inside continuous speech. An interrupted reply
 *   simply stops: the transport stops calling writeAssistant when playout is cut, and silence follows.
 * - Audio is cut into chunks of SEGMENT_SAMPLES (4.096 s), each stored as its own WAV object under
 *   `{prefix}chunks/`, once the session clock has passed the chunk's end by `graceMs` (late frames are still
 *   placed until then). A crash loses at most the chunk in progress plus the grace period.
 * - `onChunkStored(seq)` fires after chunk `seq` is durable (the session wrapper uses it to encode HLS during the
 *   session). Storage failures are retried; if a chunk still cannot be stored, `finish()` rejects.
 * - The caller decides whether to record at all (the assistant's `recording_enabled`).
 */
import {
  RECORDING_CHANNELS,
  RECORDING_SAMPLE_RATE_HZ,
  SEGMENT_SAMPLES,
  recordingKeys,
  wavHeader,
} from '../../core/storage/recording-layout.ts';
import type { ObjectStorage } from '../../core/storage/object-storage.ts';
import { StreamResampler } from '../audio/resampler.ts';

export interface RecorderOptions {
  storage: ObjectStorage;
  /** The recording's storage prefix, `orgs/{org}/sessions/{session}/recording/`. */
  prefix: string;
  sampleRateHz: number;
  userSampleRateHz?: number;
  assistantSampleRateHz?: number;
  /** How long after a chunk's end late frames may still land in it before it is stored. */
  graceMs?: number;
  onChunkStored?: (seq: number) => void;
  onError?: (error: unknown) => void;
}

export interface RecordingResult {
  durationMs: number;
  prefix: string;
  chunkCount: number;
}

const SNAP_SAMPLES = Math.round(0.04 * RECORDING_SAMPLE_RATE_HZ);
const STORE_ATTEMPTS = 4;

type Channel = 0 | 1;

export class Recorder {
  private readonly keys: ReturnType<typeof recordingKeys>;
  private readonly graceSamples: number;
  private readonly pending = new Map<number, Int16Array>();
  private readonly resamplers: [StreamResampler, StreamResampler];
  /** Where each channel's last frame ended, in recording samples (fractional: input rates need not divide evenly). */
  private readonly channelEnd: [number, number] = [-Infinity, -Infinity];
  /**
   * Where each channel's next resampled sample goes. It trails `channelEnd` by what the resampler still holds, and
   * catches up when the resampler is flushed.
   */
  private readonly outputEnd: [number, number] = [0, 0];
  /** Chunks below this sequence number are stored (or being stored). */
  private nextChunkToStore = 0;
  private endSample = 0;
  private storing: Promise<void> = Promise.resolve();
  private failure: unknown;
  private finished = false;
  private droppedLateSamples = 0;
  /** Whether any frame reached either channel; a silent frame counts (a muted microphone is still a recording). */
  private heardAnything = false;

  constructor(private readonly options: RecorderOptions) {
    this.keys = recordingKeys(options.prefix);
    this.graceSamples = Math.round(((options.graceMs ?? 1500) / 1000) * RECORDING_SAMPLE_RATE_HZ);
    this.resamplers = [
      new StreamResampler(options.userSampleRateHz ?? options.sampleRateHz, RECORDING_SAMPLE_RATE_HZ),
      new StreamResampler(options.assistantSampleRateHz ?? options.sampleRateHz, RECORDING_SAMPLE_RATE_HZ),
    ];
  }

  writeUser(pcm: Int16Array, atMs: number): void {
    this.write(0, pcm, atMs);
  }

  writeAssistant(pcm: Int16Array, atMs: number): void {
    this.write(1, pcm, atMs);
  }

  /** Samples that arrived after their chunk was already stored (diagnostics). */
  get lateSamples(): number {
    return this.droppedLateSamples;
  }

  private write(channel: Channel, pcm: Int16Array, atMs: number): void {
    if (this.finished || pcm.length === 0 || !Number.isFinite(atMs) || atMs < 0) return;
    this.heardAnything = true;
    let start = Math.round((atMs / 1000) * RECORDING_SAMPLE_RATE_HZ);
    const contiguous = Math.abs(start - this.channelEnd[channel]) <= SNAP_SAMPLES;
    if (contiguous) {
      start = this.channelEnd[channel];
    } else {
      this.flushChannel(channel);
      this.outputEnd[channel] = start;
    }
    this.channelEnd[channel] = start + (pcm.length * RECORDING_SAMPLE_RATE_HZ) / this.resamplers[channel].fromHz;
    this.append(channel, this.resamplers[channel].process(pcm));
    this.storeChunksBefore(this.endSample - this.graceSamples);
  }

  /** Places what the channel's resampler still holds after its last output; its next frame starts afresh. */
  private flushChannel(channel: Channel): void {
    this.append(channel, this.resamplers[channel].flush());
  }

  private append(channel: Channel, samples: Int16Array): void {
    const start = this.outputEnd[channel];
    this.place(channel, samples, start);
    this.outputEnd[channel] = start + samples.length;
    this.endSample = Math.max(this.endSample, start + samples.length);
  }

  private place(channel: Channel, samples: Int16Array, start: number): void {
    for (let offset = 0; offset < samples.length; ) {
      const position = start + offset;
      const seq = Math.floor(position / SEGMENT_SAMPLES);
      const within = position - seq * SEGMENT_SAMPLES;
      const count = Math.min(samples.length - offset, SEGMENT_SAMPLES - within);
      if (seq < this.nextChunkToStore) {
        this.droppedLateSamples += count;
      } else {
        let chunk = this.pending.get(seq);
        if (!chunk) {
          chunk = new Int16Array(SEGMENT_SAMPLES * RECORDING_CHANNELS);
          this.pending.set(seq, chunk);
        }
        for (let i = 0; i < count; i++) chunk[(within + i) * RECORDING_CHANNELS + channel] = samples[offset + i]!;
      }
      offset += count;
    }
  }

  /** Stores every chunk that ends at or before `sample`. */
  private storeChunksBefore(sample: number): void {
    while ((this.nextChunkToStore + 1) * SEGMENT_SAMPLES <= sample) this.storeChunk(this.nextChunkToStore, SEGMENT_SAMPLES);
  }

  private storeChunk(seq: number, frames: number): void {
    this.nextChunkToStore = seq + 1;
    // Silence where nothing was written: chunks are contiguous, so the transcoder never has to guess.
    const samples = this.pending.get(seq) ?? new Int16Array(SEGMENT_SAMPLES * RECORDING_CHANNELS);
    this.pending.delete(seq);
    const data = Buffer.from(samples.buffer, samples.byteOffset, frames * RECORDING_CHANNELS * 2);
    const body = Buffer.concat([wavHeader(data.length), data]);
    this.storing = this.storing.then(async () => {
      if (this.failure) return;
      try {
        await this.putWithRetry(this.keys.chunk(seq), body);
        this.options.onChunkStored?.(seq);
      } catch (error) {
        this.failure = error;
        this.options.onError?.(error);
      }
    });
  }

  private async putWithRetry(key: string, body: Buffer): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.options.storage.put(key, body, 'audio/wav');
      } catch (error) {
        if (attempt >= STORE_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
      }
    }
  }

  /**
   * Stores the rest and resolves when every chunk is durable. `endMs` (the session's end on the same clock)
   * extends the recording with trailing silence when the last frame came earlier. A recording that never got a frame
   * stores nothing (`chunkCount` 0): there is nothing to play, however long the session lasted.
   */
  async finish(endMs?: number): Promise<RecordingResult> {
    if (!this.finished && !this.heardAnything) {
      this.finished = true;
      return { durationMs: 0, prefix: this.options.prefix, chunkCount: 0 };
    }
    if (!this.finished) {
      this.finished = true;
      this.flushChannel(0);
      this.flushChannel(1);
      const endSample = Math.max(this.endSample, endMs === undefined ? 0 : Math.round((endMs / 1000) * RECORDING_SAMPLE_RATE_HZ));
      this.endSample = Math.max(endSample, this.nextChunkToStore * SEGMENT_SAMPLES);
      this.storeChunksBefore(this.endSample);
      const rest = this.endSample - this.nextChunkToStore * SEGMENT_SAMPLES;
      if (rest > 0) this.storeChunk(this.nextChunkToStore, rest);
      this.pending.clear();
    }
    await this.storing;
    if (this.failure) throw this.failure;
    return {
      durationMs: Math.round((this.endSample / RECORDING_SAMPLE_RATE_HZ) * 1000),
      prefix: this.options.prefix,
      chunkCount: this.nextChunkToStore,
    };
  }
}
