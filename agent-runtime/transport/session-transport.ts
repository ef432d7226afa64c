import type { voice } from '@livekit/agents';
import type { TranscriptCapture } from './transcript-capture.ts';
import type { ClientMessage, ServerEvent } from './protocol.ts';

/**
 * Why a transport lost its client: a WebSocket closed or broke the protocol; in a LiveKit room the customer left,
 * the room was deleted, or the agent lost the server.
 */
export type DisconnectReason = 'client-disconnected' | 'protocol-error' | 'participant-left' | 'room-deleted' | 'agent-unavailable';

export interface TransportHandlers {
  onMessage(message: ClientMessage): void;
  /** The client went away (or broke the protocol badly enough to be closed); the session must end. */
  onDisconnect(reason: DisconnectReason): void;
}

/** Receives the session's audio as it is heard: times are wall-clock epoch ms, samples 16-bit mono at the wire rate. */
export interface AudioTap {
  /** Client audio as received, decoded to PCM. */
  user(samples: Int16Array, atMs: number): void;
  /** Assistant audio as the client plays it out; audio the client dropped on a barge-in never arrives here. */
  assistant(samples: Int16Array, atMs: number): void;
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
  /** Sends an event to the client. `session.ended` is the last: nothing is sent after it. */
  send(event: ServerEvent): void;
  /** Stops audio both ways and closes the connection with a close code. Idempotent. */
  close(code: number, reason: string): Promise<void>;
  /** Starts (or, with undefined, stops) handing the session's audio to a tap, e.g. the recorder. */
  tapAudio(tap: AudioTap | undefined): void;
  audioInMs(): number;
  audioOutMs(): number;
  /** The assistant's turn state, for clients that act on it (a test run's simulated caller speaks when it listens). */
  agentStateChanged?(state: voice.AgentState): void;
}
