import client from 'prom-client';
import { registry } from './registry.ts';

/** How a session reaches its caller: the WebSocket stream or a LiveKit room. */
export type SessionTransportKind = 'websocket' | 'livekit';

export const liveSessions = new client.Gauge({
  name: 'echosphere_live_sessions',
  help: 'Sessions running in this process, by transport',
  labelNames: ['transport'] as const,
  registers: [registry],
});

export const sessionStarts = new client.Counter({
  name: 'echosphere_session_starts_total',
  help: 'Sessions started, by transport',
  labelNames: ['transport'] as const,
  registers: [registry],
});

export const sessionEnds = new client.Counter({
  name: 'echosphere_session_ends_total',
  help: 'Sessions ended, by transport, final status and ended reason',
  labelNames: ['transport', 'status', 'reason'] as const,
  registers: [registry],
});

/** The stages of a turn's latency, as the session measures them (`turn.metrics`). */
export type TurnStage = 'end_of_turn' | 'stt' | 'llm_ttft' | 'tts_ttfb' | 'end_to_end' | 'platform_overhead';

export const turnLatency = new client.Histogram({
  name: 'echosphere_turn_latency_seconds',
  help: 'Latency of each reply turn, by stage: end of turn, STT, LLM time to first token, TTS time to first byte, end to end, and platform overhead (end to end minus the other stages)',
  labelNames: ['stage'] as const,
  buckets: [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10],
  registers: [registry],
});

export const providerErrors = new client.Counter({
  name: 'echosphere_provider_errors_total',
  help: 'Provider failures that ended a session, by provider',
  labelNames: ['provider'] as const,
  registers: [registry],
});

export const interruptions = new client.Counter({
  name: 'echosphere_interruptions_total',
  help: 'Assistant speech cut short by the caller (barge-in or typed input)',
  registers: [registry],
});

export const audioUnderruns = new client.Counter({
  name: 'echosphere_audio_underruns_total',
  help: 'Times a caller ran out of assistant audio in the middle of a reply (the speech came slower than real time)',
  registers: [registry],
});

export const toolCalls = new client.Counter({
  name: 'echosphere_tool_calls_total',
  help: 'Tool calls made by assistants, by tool type and outcome',
  labelNames: ['type', 'outcome'] as const,
  registers: [registry],
});
