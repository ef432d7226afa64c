import { Future, voice } from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';
import { audioUnderruns } from '../../core/metrics/session-metrics.ts';
import { type Paced, startPacing, stopPacing } from './pacing-clock.ts';
import type { TranscriptCapture } from './transcript-capture.ts';

export interface AudioSink {
  sendAudio(samples: Int16Array): void;
  audioStarted(): void;
  /** The client must drop what it has buffered (barge-in). */
  audioCleared(playedMs: number): void;
  audioDone(playedMs: number): void;
  /** The reply's words heard so far, each time more of them have played (the final text comes from the session). */
  textSpoken?(text: string): void;
  /**
   * Audio the client has played (`atMs` = epoch ms its playout started); called once its playout is over or cut. Read
   * at every frame, so it can be set and unset while audio plays.
   */
  audioHeard?: ((samples: Int16Array, atMs: number) => void) | undefined;
}

export interface PacingOptions {
  /** How far ahead of real time the client may be fed; covers network and timer jitter. */
  leadMs: number;
  /** Audio per binary frame sent to the client. */
  frameMs: number;
}

interface Segment {
  chunks: Int16Array[];
  chunkOffset: number;
  capturedSamples: number;
  sentSamples: number;
  flushed: boolean;
  started: boolean;
  /** The client ran out of this segment's audio before its end and has not been sent more since. */
  starved: boolean;
  /** The text last reported as spoken. */
  spoken: string;
  finished: Future<void>;
}

/** A frame sent to the client that it has not finished playing yet (it holds at most `leadMs` of them). */
interface InFlightFrame {
  samples: Int16Array;
  playsAt: number;
}

/**
 * The session's audio output over a message transport. The library hands over a whole reply in a fraction of a
 * second; this paces it to the client in real time with a small lead, so that a barge-in can stop it (the client
 * only ever holds `leadMs` of audio) and so that "how much was heard" is known. One segment plays at a time; a new
 * segment's first frame waits for the previous one, like the library's own room output.
 *
 * Contract (see @livekit/agents voice/io.ts): onPlaybackStarted on a segment's first frame, onPlaybackFinished
 * exactly once per segment — at the end of playout, or from clearBuffer() with interrupted=true.
 */
export class PacedAudioOutput extends voice.AudioOutput implements Paced {
  private segment: Segment | undefined;
  /** Wall-clock time at which the client runs out of the audio sent so far. */
  private clientDrainsAt = 0;
  private generation = 0;
  private closed = false;
  private readonly samplesPerFrame: number;
  private inFlight: InFlightFrame[] = [];
  /** Total assistant audio actually sent, for usage (`audio_out_ms`). */
  sentMs = 0;

  constructor(
    readonly sampleRateHz: number,
    private readonly sink: AudioSink,
    private readonly transcript: TranscriptCapture | undefined,
    private readonly pacing: PacingOptions = { leadMs: 200, frameMs: 20 },
  ) {
    super(sampleRateHz, undefined, { pause: false });
    this.samplesPerFrame = Math.round((sampleRateHz * pacing.frameMs) / 1000);
  }

  override async captureFrame(frame: AudioFrame): Promise<void> {
    const generation = this.generation;
    if (this.segment?.flushed) await this.segment.finished.await;
    if (generation !== this.generation || this.closed) return;
    await super.captureFrame(frame);
    if (!this.segment) {
      this.segment = {
        chunks: [],
        chunkOffset: 0,
        capturedSamples: 0,
        sentSamples: 0,
        flushed: false,
        started: false,
        starved: false,
        spoken: '',
        finished: new Future<void>(),
      };
      startPacing(this);
    }
    // Copy: frames can be views over buffers the resampler or TTS reuses.
    this.segment.chunks.push(frame.data.slice());
    this.segment.capturedSamples += frame.samplesPerChannel;
    // A reply's first audio goes out now, not on the next tick: it is what the user is waiting for.
    if (!this.segment.started) this.pump(Date.now());
  }

  override flush(): void {
    super.flush();
    if (this.segment) this.segment.flushed = true;
  }

  override clearBuffer(): void {
    this.generation++;
    const segment = this.segment;
    if (!segment) return;
    const now = Date.now();
    const playedMs = segment.started ? this.toMs(segment.sentSamples) - Math.max(0, this.clientDrainsAt - now) : 0;
    this.clientDrainsAt = now;
    this.reportHeard(now, true);
    if (!segment.flushed) super.flush();
    if (segment.started) this.sink.audioCleared(Math.round(playedMs));
    this.finish(segment, true, Math.max(0, playedMs));
  }

  /** Called by the pacing clock: send what keeps the client `leadMs` ahead, and finish a segment that has played out. */
  pump(now: number): void {
    this.reportHeard(now, false);
    const segment = this.segment;
    if (!segment) {
      if (this.inFlight.length === 0) stopPacing(this);
      return;
    }
    // The client played everything sent while the reply goes on: it hears a gap, counted once per stall. Checked in
    // the order that is cheapest on the usual tick (audio playing, not starved).
    if (now > this.clientDrainsAt && segment.started && !segment.starved && !(segment.flushed && !this.hasQueued(segment))) {
      segment.starved = true;
      audioUnderruns.inc();
    }
    let sent = 0;
    while (this.hasQueued(segment) && this.clientDrainsAt - now < this.pacing.leadMs) {
      // A tick that ran a little late catches up one frame per tick, so frames keep arriving evenly; a client more
      // than two frames short of its lead (a reply just starting, a long stall) is topped up at once.
      if (sent > 0 && this.clientDrainsAt - now >= this.pacing.leadMs - 2 * this.pacing.frameMs) break;
      sent++;
      const samples = this.takeFrame(segment);
      if (!segment.started) {
        segment.started = true;
        this.onPlaybackStarted(now);
        this.sink.audioStarted();
      }
      this.sink.sendAudio(samples);
      const ms = this.toMs(samples.length);
      const playsAt = Math.max(this.clientDrainsAt, now);
      if (this.sink.audioHeard) this.inFlight.push({ samples, playsAt });
      this.clientDrainsAt = playsAt + ms;
      segment.sentSamples += samples.length;
      this.sentMs += ms;
    }
    if (sent > 0) segment.starved = false;
    if (segment.flushed && !this.hasQueued(segment) && now >= this.clientDrainsAt) {
      this.reportHeard(now, false);
      this.finish(segment, false, this.toMs(segment.sentSamples));
      return;
    }
    this.reportSpoken(segment, now);
  }

  /**
   * Tells the sink the words played so far. Without word timings the text is placed in proportion to the audio, which
   * only holds once all of the reply's audio is in (before, the text runs ahead of it): until then nothing is said.
   */
  private reportSpoken(segment: Segment, now: number): void {
    if (!this.sink.textSpoken || !this.transcript || !segment.started) return;
    if (!segment.flushed && !this.transcript.hasWordTimings()) return;
    const playedMs = this.toMs(segment.sentSamples) - Math.max(0, this.clientDrainsAt - now);
    const spoken = this.transcript.heardText(playedMs, this.toMs(segment.capturedSamples));
    if (spoken.length <= segment.spoken.length) return;
    segment.spoken = spoken;
    this.sink.textSpoken(spoken);
  }

  /**
   * Hands frames whose playout is over to `audioHeard`. With `cut` (barge-in, session end) the client stops at `now`:
   * the frame playing is reported up to that point and the ones queued behind it are dropped, as the client drops them.
   */
  private reportHeard(now: number, cut: boolean): void {
    const heard = this.sink.audioHeard;
    if (!heard) {
      this.inFlight = [];
      return;
    }
    while (this.inFlight.length > 0) {
      const frame = this.inFlight[0]!;
      const endsAt = frame.playsAt + this.toMs(frame.samples.length);
      if (endsAt > now) {
        if (!cut) return;
        const playedSamples = Math.floor(((now - frame.playsAt) / 1000) * this.sampleRateHz);
        if (playedSamples > 0) heard(frame.samples.subarray(0, playedSamples), frame.playsAt);
        this.inFlight = [];
        return;
      }
      this.inFlight.shift();
      heard(frame.samples, frame.playsAt);
    }
  }

  /** Ends playout for good (session over): an open segment counts as interrupted so nothing waits on it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.segment) this.clearBuffer();
    stopPacing(this);
  }

  private finish(segment: Segment, interrupted: boolean, playedMs: number): void {
    if (this.segment !== segment) return;
    this.segment = undefined;
    stopPacing(this);
    const capturedMs = this.toMs(segment.capturedSamples);
    const synchronizedTranscript = interrupted ? this.transcript?.heardText(playedMs, capturedMs) : undefined;
    this.transcript?.reset();
    if (!interrupted && segment.started) this.sink.audioDone(Math.round(playedMs));
    this.onPlaybackFinished({
      playbackPosition: playedMs / 1000,
      interrupted,
      ...(synchronizedTranscript !== undefined ? { synchronizedTranscript } : {}),
    });
    segment.finished.resolve();
  }

  /** A whole frame is ready, or the tail of a flushed segment (no short frames while the TTS is still producing). */
  private hasQueued(segment: Segment): boolean {
    const queued = segment.capturedSamples - segment.sentSamples;
    return queued >= this.samplesPerFrame || (segment.flushed && queued > 0);
  }

  private takeFrame(segment: Segment): Int16Array {
    const out = new Int16Array(this.samplesPerFrame);
    let filled = 0;
    while (filled < out.length && segment.chunks.length > 0) {
      const chunk = segment.chunks[0]!;
      const take = Math.min(out.length - filled, chunk.length - segment.chunkOffset);
      out.set(chunk.subarray(segment.chunkOffset, segment.chunkOffset + take), filled);
      filled += take;
      segment.chunkOffset += take;
      if (segment.chunkOffset >= chunk.length) {
        segment.chunks.shift();
        segment.chunkOffset = 0;
      }
    }
    return filled === out.length ? out : out.subarray(0, filled);
  }

  private toMs(samples: number): number {
    return (samples / this.sampleRateHz) * 1000;
  }
}
