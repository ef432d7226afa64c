import type { RawData, WebSocket } from 'ws';
import { type AudioFormat, decodeWire, durationMsOfBytes, encodeWire } from '../audio/audio-format.ts';
import { type AudioSink, PacedAudioOutput, type PacingOptions } from './paced-audio-output.ts';
import { InputClock } from './input-clock.ts';
import { CLOSE_CODES, parseClientMessage, type ServerEvent } from './protocol.ts';
import type { AudioTap, SessionTransport, TransportHandlers } from './session-transport.ts';
import { TranscriptCapture } from './transcript-capture.ts';
import { WebSocketAudioInput } from './websocket-audio-input.ts';

/**
 * Audio frames longer than this are refused (1009, `client-protocol-error`): they would add their whole length to the
 * turn latency.
 */
const MAX_INPUT_FRAME_MS = 100;

/** Sends are dropped rather than queued once this much is waiting on a socket: a stalled client must not grow memory. */
const MAX_BUFFERED_BYTES = 1 << 20;

/**
 * A session over a plain WebSocket: binary frames carry audio in the format negotiated at session creation, text
 * frames carry JSON control messages (transport/protocol.ts).
 */
export class WebSocketTransport implements SessionTransport {
  readonly audioInput: WebSocketAudioInput;
  readonly audioOutput: PacedAudioOutput;
  readonly textOutput: TranscriptCapture;
  private handlers: TransportHandlers | undefined;
  private closing = false;
  /** The session's end has been reported to the runtime (once, whoever noticed it first). */
  private disconnected = false;
  /** `session.ended` has been sent: it is the last frame of a session, so nothing else is sent after it. */
  private finished = false;
  private tap: AudioTap | undefined;
  private readonly audioSink: AudioSink;
  private readonly inputClock: InputClock;

  constructor(
    private readonly socket: WebSocket,
    private readonly format: AudioFormat,
    pacing?: PacingOptions,
  ) {
    this.audioInput = new WebSocketAudioInput(format.sampleRateHz);
    this.inputClock = new InputClock(format.sampleRateHz);
    this.textOutput = new TranscriptCapture();
    this.audioSink = {
      sendAudio: (samples) => this.sendBinary(encodeWire(format, samples)),
      audioStarted: () => this.send({ type: 'assistant.audio.started' }),
      audioCleared: (playedMs) => this.send({ type: 'assistant.audio.cleared', played_ms: playedMs }),
      audioDone: (playedMs) => this.send({ type: 'assistant.audio.done', played_ms: playedMs }),
      textSpoken: (text) => this.send({ type: 'transcript', role: 'assistant', text, final: false }),
    };
    this.audioOutput = new PacedAudioOutput(format.sampleRateHz, this.audioSink, this.textOutput, pacing);
  }

  get audio() {
    return { encoding: this.format.encoding, sample_rate_hz: this.format.sampleRateHz };
  }

  get outputSampleRateHz(): number {
    return this.format.sampleRateHz;
  }

  start(handlers: TransportHandlers): void {
    this.handlers = handlers;
    this.socket.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    this.socket.on('close', () => this.disconnect('client-disconnected'));
    // 'error' always precedes 'close' in ws; handling it keeps a broken socket from becoming an uncaught exception.
    // A frame the protocol does not allow (over maxPayload, invalid UTF-8, a malformed frame) is a receiver error
    // with a `WS_ERR_…` code, for which ws has already sent the matching close code (1009, 1007, 1002).
    this.socket.on('error', (error: Error & { code?: unknown }) => {
      if (typeof error.code === 'string' && error.code.startsWith('WS_ERR_')) this.disconnect('protocol-error');
    });
    // The client may have gone while its token was being checked; its close event has passed.
    if (this.socket.readyState !== this.socket.OPEN) this.disconnect('client-disconnected');
  }

  send(event: ServerEvent): void {
    if (this.finished) return;
    // Whatever the runtime still produces while it winds down (the rest of a reply, a late transcript) stays here.
    if (event.type === 'session.ended') this.finished = true;
    if (this.socket.readyState !== this.socket.OPEN || this.socket.bufferedAmount > MAX_BUFFERED_BYTES) return;
    this.socket.send(JSON.stringify(event));
  }

  tapAudio(tap: AudioTap | undefined): void {
    this.tap = tap;
    // The paced output keeps each frame it sends until the client has played it only while a tap wants it.
    this.audioSink.audioHeard = tap ? (samples, atMs) => tap.assistant(samples, atMs) : undefined;
  }

  audioInMs(): number {
    return this.audioInput.receivedMs;
  }

  audioOutMs(): number {
    return this.audioOutput.sentMs;
  }

  async close(code: number, reason: string): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.audioOutput.close();
    await this.audioInput.close().catch(() => {});
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) {
      this.socket.close(code, reason.slice(0, 120));
      // A client that never answers the closing handshake is cut off.
      const timer = setTimeout(() => this.socket.terminate(), 2000);
      timer.unref();
      this.socket.once('close', () => clearTimeout(timer));
    }
  }

  /** Tells the runtime the session must end, once, unless it is the one closing the connection. */
  private disconnect(reason: 'client-disconnected' | 'protocol-error'): void {
    if (this.closing || this.disconnected || !this.handlers) return;
    this.disconnected = true;
    this.handlers.onDisconnect(reason);
  }

  private sendBinary(bytes: Buffer): void {
    if (this.finished || this.socket.readyState !== this.socket.OPEN || this.socket.bufferedAmount > MAX_BUFFERED_BYTES) return;
    this.socket.send(bytes, { binary: true, compress: false });
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    if (this.closing || !this.handlers) return;
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (!isBinary) {
      const parsed = parseClientMessage(bytes.toString('utf8'));
      if (parsed.ok) this.handlers.onMessage(parsed.message);
      else this.send({ type: 'error', code: parsed.code, message: parsed.message });
      return;
    }
    const durationMs = durationMsOfBytes(this.format, bytes.byteLength);
    if (durationMs > MAX_INPUT_FRAME_MS + 0.5) {
      this.send({ type: 'error', code: 'frame_too_large', message: `Audio frames may be at most ${MAX_INPUT_FRAME_MS} ms` });
      this.disconnect('protocol-error');
      void this.close(CLOSE_CODES.tooLarge, 'audio frame too large');
      return;
    }
    const samples = decodeWire(this.format, bytes);
    if (!samples) {
      this.send({ type: 'error', code: 'invalid_audio', message: 'pcm_s16le frames must hold whole 16-bit samples' });
      return;
    }
    const capturedAt = this.inputClock.stamp(samples.length, Date.now());
    this.tap?.user(samples, capturedAt);
    this.audioInput.pushSamples(samples);
  }
}
