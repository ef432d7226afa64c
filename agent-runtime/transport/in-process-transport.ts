import type { voice } from '@livekit/agents';
import { InputClock } from './input-clock.ts';
import { type AudioSink, PacedAudioOutput } from './paced-audio-output.ts';
import type { ClientMessage, ServerEvent } from './protocol.ts';
import type { AudioTap, SessionTransport, TransportHandlers } from './session-transport.ts';
import { TranscriptCapture } from './transcript-capture.ts';
import { PIPELINE_SAMPLE_RATE_HZ, WebSocketAudioInput } from './websocket-audio-input.ts';

/** What the client on the other end of an in-process session hears. */
export interface InProcessListener {
  /** Every event a WebSocket client would receive, in order. */
  event(event: ServerEvent): void;
  /** The assistant's turn state (listening, thinking, speaking), as the runtime sees it. */
  agentState(state: voice.AgentState): void;
}

/**
 * A session whose client is code in the same process (a test run's simulated caller): the same paced audio output and
 * input path as the WebSocket transport, at the pipeline's 16 kHz PCM, with no socket in between. Assistant audio is
 * played out in real time exactly as a WebSocket client would be fed it, so turn-taking and barge-in behave as in a call.
 */
export class InProcessTransport implements SessionTransport {
  readonly audioInput = new WebSocketAudioInput(PIPELINE_SAMPLE_RATE_HZ);
  readonly audioOutput: PacedAudioOutput;
  readonly textOutput = new TranscriptCapture();
  readonly outputSampleRateHz = PIPELINE_SAMPLE_RATE_HZ;
  readonly audio = { encoding: 'pcm_s16le', sample_rate_hz: PIPELINE_SAMPLE_RATE_HZ };
  private handlers: TransportHandlers | undefined;
  private closed = false;
  private finished = false;
  private tap: AudioTap | undefined;
  private readonly sink: AudioSink;
  private readonly inputClock = new InputClock(PIPELINE_SAMPLE_RATE_HZ);

  constructor(private readonly listener: InProcessListener) {
    this.sink = {
      sendAudio: () => {},
      audioStarted: () => this.send({ type: 'assistant.audio.started' }),
      audioCleared: (playedMs) => this.send({ type: 'assistant.audio.cleared', played_ms: playedMs }),
      audioDone: (playedMs) => this.send({ type: 'assistant.audio.done', played_ms: playedMs }),
      textSpoken: (text) => this.send({ type: 'transcript', role: 'assistant', text, final: false }),
    };
    this.audioOutput = new PacedAudioOutput(PIPELINE_SAMPLE_RATE_HZ, this.sink, this.textOutput);
  }

  start(handlers: TransportHandlers): void {
    this.handlers = handlers;
  }

  /** A control message from the client (typed text, ending the session, …). */
  sendMessage(message: ClientMessage): void {
    if (!this.closed) this.handlers?.onMessage(message);
  }

  /** Client microphone audio: 16 kHz mono PCM16, a frame at a time, in real time. */
  pushAudio(samples: Int16Array): void {
    if (this.closed) return;
    this.tap?.user(samples, this.inputClock.stamp(samples.length, Date.now()));
    this.audioInput.pushSamples(samples);
  }

  send(event: ServerEvent): void {
    if (this.finished) return;
    if (event.type === 'session.ended') this.finished = true;
    this.listener.event(event);
  }

  agentStateChanged(state: voice.AgentState): void {
    if (!this.finished) this.listener.agentState(state);
  }

  tapAudio(tap: AudioTap | undefined): void {
    this.tap = tap;
    this.sink.audioHeard = tap ? (samples, atMs) => tap.assistant(samples, atMs) : undefined;
  }

  audioInMs(): number {
    return this.audioInput.receivedMs;
  }

  audioOutMs(): number {
    return this.audioOutput.sentMs;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.audioOutput.close();
    await this.audioInput.close().catch(() => {});
  }
}
