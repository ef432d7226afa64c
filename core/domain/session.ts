import type { EvaluationStatus } from '../evaluations/evaluation-result.ts';
import type { PublicCost } from '../../contract/cost.ts';
import type { PublicAssistant } from '../../contract/assistant.ts';

type SessionStatus = 'created' | 'active' | 'ended' | 'failed';
export type Transport = 'websocket' | 'livekit';
/** Who started a session: a customer's backend or app (`api`), the dashboard, or a test run (`test`). */
export type SessionSource = 'api' | 'dashboard' | 'test';

export interface AudioFormat {
  encoding: 'pcm_s16le' | 'mulaw';
  sample_rate_hz: 8000 | 16000 | 24000 | 48000;
}

export interface SessionUsage {
  audio_in_ms: number;
  audio_out_ms: number;
  stt_audio_ms: number;
  llm_prompt_tokens: number;
  llm_completion_tokens: number;
  tts_characters: number;
}

export interface SessionLatency {
  turns: number;
  p50_ms: number | null;
  p95_ms: number | null;
  end_of_turn_delay_ms: number | null;
  stt_delay_ms: number | null;
  llm_ttft_ms: number | null;
  tts_ttfb_ms: number | null;
}

export interface SessionRow {
  id: string;
  org_id: string;
  assistant_id: string;
  assistant: PublicAssistant;
  transport: Transport;
  source: SessionSource;
  status: SessionStatus;
  ended_reason: string | null;
  audio: AudioFormat;
  metadata: Record<string, string>;
  stream_token_hash: Buffer | null;
  stream_token_expires_at: Date | null;
  usage: SessionUsage | null;
  latency: SessionLatency | null;
  /** What the session cost, set when it ended; null while live and for sessions that are not charged. */
  cost: PublicCost | null;
  created_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
  /** Joined from recordings when the query asks for it. */
  recording_status?: string | null;
  /** Joined from the session's latest evaluation when the query asks for it (see `withLatestEvaluation`). */
  evaluation_status?: EvaluationStatus | null;
  evaluation_passed?: boolean | null;
  evaluation_overall_score?: number | null;
}

/** Why a created session ended without ever connecting: its stream token expired unused. */
export const NEVER_CONNECTED = 'never-connected';

/** Why a session ends when the process running it stops beating (killed, out of memory, its machine gone). */
export const AGENT_UNAVAILABLE = 'agent-unavailable';

/** The usage and latency of a session that ended before it connected: nothing was heard, said or computed. */
export const NO_USAGE: SessionUsage = {
  audio_in_ms: 0,
  audio_out_ms: 0,
  stt_audio_ms: 0,
  llm_prompt_tokens: 0,
  llm_completion_tokens: 0,
  tts_characters: 0,
};
export const NO_LATENCY: SessionLatency = {
  turns: 0,
  p50_ms: null,
  p95_ms: null,
  end_of_turn_delay_ms: null,
  stt_delay_ms: null,
  llm_ttft_ms: null,
  tts_ttfb_ms: null,
};
