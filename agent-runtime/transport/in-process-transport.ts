import type { voice } from '@livekit/agents';
import { PacedTransport } from './paced-transport.ts';
import type { ClientMessage, ServerEvent } from './protocol.ts';
import type { SessionTransport, TransportHandlers } from './session-transport.ts';
import { PIPELINE_SAMPLE_RATE_HZ } from './websocket-audio-input.ts';

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
export class InProcessTransport extends PacedTransport implements SessionTransport {
  readonly audio = { encoding: 'pcm_s16le', sample_rate_hz: PIPELINE_SAMPLE_RATE_HZ };
  private handlers: TransportHandlers | undefined;
  private closed = false;

  constructor(private readonly listener: InProcessListener) {
    super(PIPELINE_SAMPLE_RATE_HZ, { interimTranscripts: true });
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
    if (!this.closed) this.receiveAudio(samples);
  }

  agentStateChanged(state: voice.AgentState): void {
    if (!this.finished) this.listener.agentState(state);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.audioOutput.close();
    await this.audioInput.close().catch(() => {});
  }

  protected deliver(event: ServerEvent): void {
    this.listener.event(event);
  }

  /** The simulated caller listens to the session's events, not to its audio. */
  protected sendAudio(): void {}
}
