import type { voice } from '@livekit/agents';
import type { TranscriptCapture } from './transcript-capture.ts';
import type { ClientMessage, ServerEvent } from './protocol.ts';

export interface TransportHandlers {
  onMessage(message: ClientMessage): void;
  /** The client went away (or broke the protocol badly enough to be closed); the session must end. */
  onDisconnect(reason: 'client-disconnected' | 'protocol-error'): void;
}

/** What a session runs over: audio in, paced audio out, and a control channel. */
export interface SessionTransport {
  readonly audioInput: voice.AudioInput;
  readonly audioOutput: voice.AudioOutput;
  readonly textOutput: TranscriptCapture | undefined;
  readonly outputSampleRateHz: number;
  /** The negotiated wire format, as announced in `session.started`. */
  readonly audio: { encoding: string; sample_rate_hz: number };
  start(handlers: TransportHandlers): void;
  send(event: ServerEvent): void;
  /** Stops audio both ways and closes the connection with a close code. Idempotent. */
  close(code: number, reason: string): Promise<void>;
  audioInMs(): number;
  audioOutMs(): number;
}
