import WebSocket from 'ws';
import type { TurnMetricsPayload } from '../../agent-runtime/transport/protocol.ts';
import { SessionClient } from '../../sdk/session-client.ts';
import { openMicrophone, type Microphone } from '../../test/support/microphone.ts';
import type { BenchClient, ReplyMeasure } from './bench-client.ts';
import type { BenchInput, BenchSession } from './load-protocol.ts';
import { USER_SPEECH, USER_SPEECH_TRAILING_SILENCE_MS, USER_TEXT } from './conversation.ts';

const BYTES_PER_MS = 32; // 16 kHz PCM16 mono
/**
 * The server keeps the client this far ahead of playback. The frames that build the lead up arrive as a burst (its
 * length depends on how the TTS audio came in), so gaps count as jitter only once the client holds the lead, less
 * one frame.
 */
const LEAD_MS = 200;
const FRAME_MS = 20;

interface Received {
  at: number;
  ms: number;
}

/**
 * A client of the server's own WebSocket: PCM frames arrive paced by the server, and the client plays them from the
 * first one with no buffer of its own. Jitter is |gap − 20 ms| between frames once the lead is held; real time is
 * missed when a frame arrives after its predecessors have played out.
 */
function measurePacedReply(frames: readonly Received[], turnEndedAt: number): ReplyMeasure {
  const first = frames[0];
  const jitterMs: number[] = [];
  let late = 0;
  let audioMs = 0;
  let leadReached = false;
  let lastAt = first?.at ?? 0;
  for (const frame of frames) {
    if (frame.at > first!.at + audioMs + 1) late++;
    if (leadReached) jitterMs.push(Math.abs(frame.at - lastAt - FRAME_MS));
    audioMs += frame.ms;
    lastAt = frame.at;
    if (audioMs - (frame.at - first!.at) >= LEAD_MS - FRAME_MS) leadReached = true;
  }
  return { e2eMs: first && first.at - turnEndedAt, jitterMs, missedRealTime: late > 0 };
}

export class WebSocketBenchClient implements BenchClient {
  private readonly client: SessionClient;
  private microphone: Microphone | undefined;
  private frames: Received[] = [];
  private readonly metrics: TurnMetricsPayload[] = [];

  constructor(
    baseUrl: string,
    session: BenchSession,
    private readonly input: BenchInput,
  ) {
    this.client = new SessionClient({ baseUrl, sessionId: session.id, token: session.websocket.token, WebSocketImpl: WebSocket as never });
    this.client.onAudio((bytes) => this.frames.push({ at: performance.now(), ms: bytes.byteLength / BYTES_PER_MS }));
    this.client.on('turn.metrics', (metrics) => this.metrics.push(metrics));
  }

  async started(timeoutMs: number): Promise<void> {
    await this.client.waitFor('session.started', { includePast: true, timeoutMs });
    // A real microphone sends from the start of the call to its end, silence included: VAD and STT hear all of it.
    if (this.input === 'speech') this.microphone = openMicrophone(this.client);
  }

  async takeTurn(): Promise<number> {
    this.frames = [];
    if (!this.microphone) {
      this.client.sendText(USER_TEXT);
      return performance.now();
    }
    await this.microphone.say(USER_SPEECH);
    return performance.now() - USER_SPEECH_TRAILING_SILENCE_MS;
  }

  async replyDone(timeoutMs: number): Promise<void> {
    await this.client.waitFor('assistant.audio.done', { timeoutMs });
  }

  measureReply(turnEndedAt: number): ReplyMeasure {
    return measurePacedReply(this.frames, turnEndedAt);
  }

  turnMetrics(): TurnMetricsPayload[] {
    return this.metrics;
  }

  async end(): Promise<void> {
    this.microphone?.stop();
    try {
      this.client.end();
    } catch {
      // Already closed.
    }
    await Promise.race([this.client.closed, new Promise((resolve) => setTimeout(resolve, 5000))]);
  }
}
