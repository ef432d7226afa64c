import type { TurnMetricsPayload } from '../../agent-runtime/transport/protocol.ts';
import { synthesizeToneSpeech } from '../../test/fakes/tone-speech.ts';
import { isLoud, LiveKitCustomer } from '../../test/livekit/support/livekit-customer.ts';
import type { BenchClient, ReplyMeasure } from './bench-client.ts';
import type { BenchInput, BenchSession } from './load-protocol.ts';
import { REPLY, USER_SPEECH, USER_SPEECH_TRAILING_SILENCE_MS, USER_TEXT } from './conversation.ts';

const HEARD_FRAME_MS = 10;
/** A reply heard this much longer than it is (the receiver played concealment while it waited for audio) missed real time. */
const STRETCH_MISSED_MS = 60;

interface Heard {
  at: number;
  ms: number;
  loud: boolean;
}

/** First loud frame to the end of the last one, as heard: what a reply spans when it plays without a stall. */
function loudSpanMs(frames: readonly Heard[]): number | undefined {
  const first = frames.findIndex((frame) => frame.loud);
  if (first < 0) return undefined;
  let last = frames.length - 1;
  while (!frames[last]!.loud) last--;
  return frames.slice(first, last + 1).reduce((sum, frame) => sum + frame.ms, 0);
}

/** The reply's loud span as the fake TTS voices it, in the client's 10 ms frames. */
const REPLY_LOUD_SPAN_MS = (() => {
  const rateHz = 48_000;
  const { samples } = synthesizeToneSpeech(REPLY, rateHz);
  const frameSamples = (rateHz * HEARD_FRAME_MS) / 1000;
  const frames: Heard[] = [];
  for (let offset = 0; offset < samples.length; offset += frameSamples) {
    frames.push({ at: 0, ms: HEARD_FRAME_MS, loud: isLoud(samples.subarray(offset, offset + frameSamples)) });
  }
  return loudSpanMs(frames)!;
})();

/**
 * A customer in a LiveKit room: the agent's audio is played out of WebRTC's jitter buffer, which never lets the
 * player run dry (it conceals a late packet instead), so frame gaps say nothing here. What a late packet does is
 * stretch the reply: jitter is |heard span − the reply's length| per reply (played frames counted from the first loud
 * one to the last), and a reply stretched by more than 60 ms missed real time.
 */
function measureHeardReply(frames: readonly Heard[], turnEndedAt: number, replySpanMs = REPLY_LOUD_SPAN_MS): ReplyMeasure {
  const spanMs = loudSpanMs(frames);
  if (spanMs === undefined) return { e2eMs: undefined, jitterMs: [], missedRealTime: false };
  const stretchMs = spanMs - replySpanMs;
  return { e2eMs: frames.find((frame) => frame.loud)!.at - turnEndedAt, jitterMs: [Math.abs(stretchMs)], missedRealTime: stretchMs > STRETCH_MISSED_MS };
}

export class LiveKitBenchClient implements BenchClient {
  private frames: Heard[] = [];
  private turnStartedAt = 0;

  private constructor(
    private readonly customer: LiveKitCustomer,
    private readonly input: BenchInput,
  ) {
    customer.onHeard = ({ ms, loud }) => this.frames.push({ at: performance.now(), ms, loud });
  }

  static async join(session: BenchSession, input: BenchInput): Promise<LiveKitBenchClient> {
    return new LiveKitBenchClient(await LiveKitCustomer.join(session.livekit!), input);
  }

  async started(timeoutMs: number): Promise<void> {
    await this.customer.waitFor('session.started', { timeoutMs });
  }

  async takeTurn(): Promise<number> {
    this.frames = [];
    this.turnStartedAt = Date.now();
    if (this.input === 'typed') {
      await this.customer.send({ type: 'user.text', text: USER_TEXT });
      return performance.now();
    }
    // The microphone always sends (silence between turns); `say` resolves as the last frame is queued for sending.
    await this.customer.say(USER_SPEECH);
    return performance.now() + this.customer.microphoneQueuedMs - USER_SPEECH_TRAILING_SILENCE_MS;
  }

  async replyDone(timeoutMs: number): Promise<void> {
    const since = this.turnStartedAt;
    await this.customer.waitFor('assistant.audio.done', { predicate: (event) => event.receivedAt >= since, timeoutMs });
  }

  measureReply(turnEndedAt: number): ReplyMeasure {
    return measureHeardReply(this.frames, turnEndedAt);
  }

  turnMetrics(): TurnMetricsPayload[] {
    return this.customer.events.filter((event) => event.type === 'turn.metrics');
  }

  async end(): Promise<void> {
    await this.customer.send({ type: 'session.end' }).catch(() => {});
    await this.customer.leave().catch(() => {});
  }
}
