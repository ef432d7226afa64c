import { InputClock } from './input-clock.ts';
import { type AudioSink, PacedAudioOutput, type PacingOptions } from './paced-audio-output.ts';
import type { ServerEvent } from './protocol.ts';
import type { AudioTap } from './session-transport.ts';
import { TranscriptCapture } from './transcript-capture.ts';
import { WebSocketAudioInput } from './websocket-audio-input.ts';

/**
 * What every transport of the runtime's own audio path shares: the caller's audio pushed into the session's input
 * (stamped on the input clock and handed to the tap), replies paced out in real time with their playout events, the
 * audio counted for usage, and `session.ended` as the last event. A transport says how audio and events reach its
 * client (`sendAudio`, `deliver`).
 */
export abstract class PacedTransport {
  readonly audioInput: WebSocketAudioInput;
  readonly audioOutput: PacedAudioOutput;
  readonly textOutput = new TranscriptCapture();
  /** `session.ended` has been sent: it is the last event of a session, so nothing else is sent after it. */
  protected finished = false;
  private readonly sink: AudioSink;
  private readonly inputClock: InputClock;
  private tap: AudioTap | undefined;

  /** With `interimTranscripts`, the reply's words go to the client as they play (`transcript`, `final: false`). */
  protected constructor(
    readonly outputSampleRateHz: number,
    options: { interimTranscripts: boolean; pacing?: PacingOptions | undefined },
  ) {
    this.audioInput = new WebSocketAudioInput(outputSampleRateHz);
    this.inputClock = new InputClock(outputSampleRateHz);
    this.sink = {
      sendAudio: (samples) => this.sendAudio(samples),
      audioStarted: () => this.send({ type: 'assistant.audio.started' }),
      audioCleared: (playedMs) => {
        this.dropClientAudio();
        this.send({ type: 'assistant.audio.cleared', played_ms: playedMs });
      },
      audioDone: (playedMs) => this.send({ type: 'assistant.audio.done', played_ms: playedMs }),
      ...(options.interimTranscripts ? { textSpoken: (text: string) => this.send({ type: 'transcript', role: 'assistant', text, final: false }) } : {}),
    };
    this.audioOutput = new PacedAudioOutput(outputSampleRateHz, this.sink, this.textOutput, options.pacing);
  }

  send(event: ServerEvent): void {
    if (this.finished) return;
    // Whatever the runtime still produces while it winds down (the rest of a reply, a late transcript) stays here.
    if (event.type === 'session.ended') this.finished = true;
    this.deliver(event);
  }

  tapAudio(tap: AudioTap | undefined): void {
    this.tap = tap;
    // The paced output keeps each frame it sends until the client has played it only while a tap wants it.
    this.sink.audioHeard = tap ? (samples, atMs) => tap.assistant(samples, atMs) : undefined;
  }

  audioInMs(): number {
    return this.audioInput.receivedMs;
  }

  audioOutMs(): number {
    return this.audioOutput.sentMs;
  }

  /** Caller audio as it arrives, decoded to PCM at the transport's rate. */
  protected receiveAudio(samples: Int16Array): void {
    this.tap?.user(samples, this.inputClock.stamp(samples.length, Date.now()));
    this.audioInput.pushSamples(samples);
  }

  /** An event for the client; never called after `session.ended`. */
  protected abstract deliver(event: ServerEvent): void;

  /** A frame of reply audio for the client, paced in real time. */
  protected abstract sendAudio(samples: Int16Array): void;

  /** The client must drop the reply audio it still holds (barge-in); `assistant.audio.cleared` follows. */
  protected dropClientAudio(): void {}
}
