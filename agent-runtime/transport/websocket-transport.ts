import type { RawData, WebSocket } from 'ws';
import { type AudioFormat, decodeWire, durationMsOfBytes, encodeWire } from '../audio/audio-format.ts';
import type { PacingOptions } from './paced-audio-output.ts';
import { PacedTransport } from './paced-transport.ts';
import { CLOSE_CODES, parseClientMessage, type ServerEvent } from './protocol.ts';
import type { SessionTransport, TransportHandlers } from './session-transport.ts';

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
export class WebSocketTransport extends PacedTransport implements SessionTransport {
  private handlers: TransportHandlers | undefined;
  private closing = false;
  /** The session's end has been reported to the runtime (once, whoever noticed it first). */
  private disconnected = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly format: AudioFormat,
    pacing?: PacingOptions,
  ) {
    super(format.sampleRateHz, { interimTranscripts: true, pacing });
  }

  get audio() {
    return { encoding: this.format.encoding, sample_rate_hz: this.format.sampleRateHz };
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

  protected deliver(event: ServerEvent): void {
    if (this.socket.readyState !== this.socket.OPEN || this.socket.bufferedAmount > MAX_BUFFERED_BYTES) return;
    this.socket.send(JSON.stringify(event));
  }

  protected sendAudio(samples: Int16Array): void {
    if (this.finished || this.socket.readyState !== this.socket.OPEN || this.socket.bufferedAmount > MAX_BUFFERED_BYTES) return;
    this.socket.send(encodeWire(this.format, samples), { binary: true, compress: false });
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
    this.receiveAudio(samples);
  }
}
