// The client side of `npm run bench:sessions`, in its own process so the server's CPU and memory are measured alone:
// the provider fakes (fixed latencies) or N WebSocket clients that talk in turns and time what they receive (the bench
// forks one process for each).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { SessionClient } from '../../sdk/session-client.ts';
import { startElevenLabsFake } from '../../test/fakes/elevenlabs-fake.ts';
import { startOpenAiFake } from '../../test/fakes/openai-fake.ts';
import type { FromLoad, SessionResult, ToLoad } from './load-protocol.ts';

const BYTES_PER_MS = 32; // 16 kHz PCM16 mono
/**
 * The server keeps the client this far ahead of playback. The frames that build the lead up arrive as a burst (its
 * length depends on how the TTS audio came in), so gaps count as jitter only once the client holds the lead, less
 * one frame.
 */
const LEAD_MS = 200;
const FRAME_MS = 20;
const REPLY = 'Sure, here is a short answer for you.';
/**
 * One turn of a client: the reply above plays for 2.2 s, then the user thinks 0.3–0.7 s. First turns are spread over
 * a whole cycle, as the turns of independent conversations are; started together they would arrive in waves.
 */
const TURN_CYCLE_MS = 2700;

const send = (message: FromLoad) => process.send!(message);
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One client: connects and waits for `session.started` (that time is reported as start-up, not as a turn), then,
 * once `steady` resolves (every client of the round is connected), talks in turns until the deadline. Returns with
 * the connection still open, so that the round's measurement window ends before any session does.
 */
async function runSession(
  baseUrl: string,
  session: { id: string; token: string },
  connected: (startMs: number | undefined) => void,
  steady: Promise<number>,
): Promise<{ result: SessionResult; client: SessionClient }> {
  const result: SessionResult = { e2eMs: [], steadyGapsMs: [], lateFrames: 0, turns: 0, serverLlmTtftMs: [], serverTtsTtfbMs: [] };
  const connectingAt = performance.now();
  const client = new SessionClient({ baseUrl, sessionId: session.id, token: session.token, WebSocketImpl: WebSocket as never });
  let turnSentAt: number | undefined;
  let segment: { firstAt: number; audioMs: number; leadReached: boolean; lastAt: number } | undefined;
  client.on('turn.metrics', (metrics) => {
    if (metrics.llm_ttft_ms !== null) result.serverLlmTtftMs.push(metrics.llm_ttft_ms);
    if (metrics.tts_ttfb_ms !== null) result.serverTtsTtfbMs.push(metrics.tts_ttfb_ms);
  });
  client.onAudio((bytes) => {
    const now = performance.now();
    if (turnSentAt !== undefined) {
      result.e2eMs.push(now - turnSentAt);
      turnSentAt = undefined;
    }
    if (!segment) segment = { firstAt: now, audioMs: 0, leadReached: false, lastAt: now };
    // Playback starts with the first frame; every later frame is due when the audio before it has played.
    if (now > segment.firstAt + segment.audioMs + 1) result.lateFrames++;
    if (segment.leadReached) result.steadyGapsMs.push(now - segment.lastAt);
    segment.audioMs += bytes.byteLength / BYTES_PER_MS;
    segment.lastAt = now;
    const bufferedMs = segment.audioMs - (now - segment.firstAt);
    if (bufferedMs >= LEAD_MS - FRAME_MS) segment.leadReached = true;
  });
  try {
    await client.waitFor('session.started', { includePast: true, timeoutMs: 60_000 });
    connected(performance.now() - connectingAt);
  } catch (error) {
    result.error = (error as Error).message;
    connected(undefined);
    return { result, client };
  }
  const deadline = await steady;
  try {
    await delay(Math.random() * TURN_CYCLE_MS);
    while (performance.now() < deadline) {
      segment = undefined;
      turnSentAt = performance.now();
      client.sendText('Tell me something short.');
      await client.waitFor('assistant.audio.done', { timeoutMs: 30_000 });
      result.turns++;
      // The user thinks for a moment before the next turn.
      await delay(300 + Math.random() * 400);
    }
  } catch (error) {
    result.error = (error as Error).message;
  }
  return { result, client };
}

// Either process measures its own event-loop delay, so a slow reply can be told apart from a late load generator.
let loopDelay = monitorEventLoopDelay({ resolution: 10 });
const restartLoopWatch = () => {
  loopDelay.disable();
  loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
};
const loopDelayP99Ms = () => loopDelay.percentile(99) / 1e6;

process.on('message', async (message: ToLoad) => {
  if (message.type === 'start-fakes') {
    const openai = await startOpenAiFake(() => ({ text: REPLY }), { ttftMs: message.latencies.llmTtftMs });
    const elevenlabs = await startElevenLabsFake({ ttfbMs: message.latencies.ttsTtfbMs });
    send({ type: 'fakes', openAiBaseUrl: openai.baseUrl, elevenLabsBaseUrl: elevenlabs.baseUrl });
  } else if (message.type === 'watch-loop') {
    restartLoopWatch();
  } else if (message.type === 'loop-delay') {
    send({ type: 'loop-delay', loopDelayP99Ms: loopDelayP99Ms() });
  } else if (message.type === 'run') {
    // Start-up: every client connects (spread over the ramp) and waits for its session to start.
    const startMs: number[] = [];
    let connectedCount = 0;
    let beginSteady!: (deadline: number) => void;
    const steady = new Promise<number>((resolve) => (beginSteady = resolve));
    const connected = (ms: number | undefined) => {
      if (ms !== undefined) startMs.push(ms);
      if (++connectedCount < message.sessions.length) return;
      // The measurement window: every session is up and nothing else starts or ends in it.
      restartLoopWatch();
      send({ type: 'steady', startMs });
      beginSteady(performance.now() + message.durationMs);
    };
    const runs = await Promise.all(
      message.sessions.map(async (session, index) => {
        await delay((message.rampMs * index) / message.sessions.length);
        return runSession(message.baseUrl, session, connected, steady);
      }),
    );
    send({ type: 'results', sessions: runs.map((run) => run.result), loopDelayP99Ms: loopDelayP99Ms() });
    await Promise.all(
      runs.map(({ client }) => {
        client.end();
        return Promise.race([client.closed, delay(5000)]);
      }),
    );
    send({ type: 'closed' });
  } else if (message.type === 'exit') {
    process.exit(0);
  }
});
