import type { metrics } from '@livekit/agents';
import type { SessionLatency, SessionUsage } from '../../core/domain/session.ts';
import type { TurnMetricsPayload } from '../transport/protocol.ts';
import { percentile } from '../../core/percentile.ts';


/**
 * Provider usage as the library reports it (metrics_collected), plus audio totals measured by the session itself.
 *
 * - TTS: a TTS that cannot stream is wrapped by the library in a sentence adapter, and then both the adapter's stream
 *   and each per-sentence request report the same characters on the same TTS. Only the reports that match how the
 *   TTS runs are counted (per request when it cannot stream, per stream when it can).
 * - STT audio is not taken from the plugins: Deepgram's reports arrive in 5 s batches and the last batch is never
 *   reported when the stream closes, so short sessions showed 0. The session counts what it forwards to the STT.
 */
export class UsageTracker {
  private promptTokens = 0;
  private completionTokens = 0;
  private ttsCharacters = 0;

  constructor(private readonly ttsStreaming: () => boolean) {}

  record(metric: metrics.AgentMetrics): void {
    switch (metric.type) {
      case 'llm_metrics':
        this.promptTokens += metric.promptTokens;
        this.completionTokens += metric.completionTokens;
        break;
      case 'tts_metrics':
        if (metric.streamed === this.ttsStreaming()) this.ttsCharacters += metric.charactersCount;
        break;
      default:
        break;
    }
  }

  summary(audio: { inMs: number; outMs: number; sttMs: number }): SessionUsage {
    return {
      audio_in_ms: Math.round(audio.inMs),
      audio_out_ms: Math.round(audio.outMs),
      stt_audio_ms: Math.round(audio.sttMs),
      llm_prompt_tokens: this.promptTokens,
      llm_completion_tokens: this.completionTokens,
      tts_characters: this.ttsCharacters,
    };
  }
}

function median(values: Array<number | null>): number | null {
  const present = values.filter((value): value is number => value !== null).sort((a, b) => a - b);
  return percentile(present, 50);
}

/** Per-turn latencies of the assistant's replies → the session's latency summary (`sessions.latency`). */
export class LatencyTracker {
  private readonly turns: TurnMetricsPayload[] = [];

  record(turn: TurnMetricsPayload): void {
    this.turns.push(turn);
  }

  summary(): SessionLatency {
    const e2e = this.turns.map((turn) => turn.e2e_ms).filter((value): value is number => value !== null).sort((a, b) => a - b);
    return {
      turns: e2e.length,
      p50_ms: percentile(e2e, 50),
      p95_ms: percentile(e2e, 95),
      end_of_turn_delay_ms: median(this.turns.map((turn) => turn.end_of_turn_delay_ms)),
      stt_delay_ms: median(this.turns.map((turn) => turn.stt_delay_ms)),
      llm_ttft_ms: median(this.turns.map((turn) => turn.llm_ttft_ms)),
      tts_ttfb_ms: median(this.turns.map((turn) => turn.tts_ttfb_ms)),
    };
  }
}
