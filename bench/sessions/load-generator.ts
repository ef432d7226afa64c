// The client side of `npm run bench:sessions`, in its own process so the server's CPU and memory are measured alone:
// the provider fakes (fixed latencies) or N customer apps, over the WebSocket or in LiveKit rooms, that talk in turns
// (typed, or spoken in real time) and time what they hear (the bench forks one process for each).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startDeepgramFake } from '../../test/fakes/deepgram-fake.ts';
import { startElevenLabsFake } from '../../test/fakes/elevenlabs-fake.ts';
import { startOpenAiFake } from '../../test/fakes/openai-fake.ts';
import type { BenchClient } from './bench-client.ts';
import { REPLY, USER_TEXT } from './conversation.ts';
import { LiveKitBenchClient } from './livekit-bench-client.ts';
import type { BenchSession, FromLoad, SessionResult, ToLoad } from './load-protocol.ts';
import { WebSocketBenchClient } from './websocket-bench-client.ts';

/**
 * One turn of a client: the reply plays for 2.2 s, then the user thinks 0.3–0.7 s (which also lets the last of a
 * LiveKit reply out of the receiver's jitter buffer before it is measured). First turns are spread over a whole
 * cycle, as the turns of independent conversations are; started together they would arrive in waves.
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
  open: () => Promise<BenchClient>,
  connected: (startMs: number | undefined) => void,
  steady: Promise<number>,
): Promise<{ result: SessionResult; client: BenchClient | undefined }> {
  const result: SessionResult = { e2eMs: [], jitterMs: [], missedReplies: 0, turns: 0, serverLlmTtftMs: [], serverTtsTtfbMs: [] };
  const connectingAt = performance.now();
  let client: BenchClient | undefined;
  try {
    client = await open();
    await client.started(60_000);
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
      const turnEndedAt = await client.takeTurn();
      await client.replyDone(30_000);
      // The user thinks for a moment before the next turn.
      await delay(300 + Math.random() * 400);
      const reply = client.measureReply(turnEndedAt);
      if (reply.e2eMs !== undefined) result.e2eMs.push(reply.e2eMs);
      result.jitterMs.push(...reply.jitterMs);
      if (reply.missedRealTime) result.missedReplies++;
      result.turns++;
    }
  } catch (error) {
    result.error = (error as Error).message;
  }
  for (const metrics of client.turnMetrics()) {
    if (metrics.llm_ttft_ms !== null) result.serverLlmTtftMs.push(metrics.llm_ttft_ms);
    if (metrics.tts_ttfb_ms !== null) result.serverTtsTtfbMs.push(metrics.tts_ttfb_ms);
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

// A bench that failed leaves no load behind.
process.on('disconnect', () => process.exit(0));
process.on('message', async (message: ToLoad) => {
  if (message.type === 'start-fakes') {
    const { apiKeys } = message;
    const openai = await startOpenAiFake(() => ({ text: REPLY }), { ttftMs: message.latencies.llmTtftMs, apiKey: apiKeys.openai });
    const elevenlabs = await startElevenLabsFake({ ttfbMs: message.latencies.ttsTtfbMs, apiKey: apiKeys.elevenlabs });
    const deepgram = await startDeepgramFake({ defaultTranscript: USER_TEXT, apiKey: apiKeys.deepgram });
    send({ type: 'fakes', openAiBaseUrl: openai.baseUrl, elevenLabsBaseUrl: elevenlabs.baseUrl, deepgramBaseUrl: deepgram.baseUrl });
  } else if (message.type === 'watch-loop') {
    restartLoopWatch();
  } else if (message.type === 'loop-delay') {
    send({ type: 'loop-delay', loopDelayP99Ms: loopDelayP99Ms() });
  } else if (message.type === 'run') {
    const { transport, input, baseUrl } = message;
    const open = async (session: BenchSession): Promise<BenchClient> =>
      transport === 'livekit' ? LiveKitBenchClient.join(session, input) : new WebSocketBenchClient(baseUrl, session, input);
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
        return runSession(() => open(session), connected, steady);
      }),
    );
    send({ type: 'results', sessions: runs.map((run) => run.result), loopDelayP99Ms: loopDelayP99Ms() });
    await Promise.all(runs.map(({ client }) => client?.end()));
    send({ type: 'closed' });
  } else if (message.type === 'exit') {
    process.exit(0);
  }
});
