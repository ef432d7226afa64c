/** Messages between the benchmark (server side) and its load generators (the fakes, the clients: two child processes). */
export interface FakeLatencies {
  llmTtftMs: number;
  ttsTtfbMs: number;
}

export type ToLoad =
  | { type: 'start-fakes'; latencies: FakeLatencies }
  /** Connect every session over `rampMs`, then talk for `durationMs` (answered by steady, results, closed). */
  | { type: 'run'; baseUrl: string; sessions: Array<{ id: string; token: string }>; durationMs: number; rampMs: number }
  /** Start measuring event-loop delay (the fakes' process), answered by `loop-delay`. */
  | { type: 'watch-loop' }
  | { type: 'loop-delay' }
  | { type: 'exit' };

export interface SessionResult {
  /** Client-seen e2e per turn: user text sent → first assistant audio frame received. */
  e2eMs: number[];
  /** Gaps between consecutive audio frames of a reply once its initial lead burst is over. */
  steadyGapsMs: number[];
  /** Frames that arrived after the client would have needed them (playback from the first frame, no extra buffer). */
  lateFrames: number;
  /** The server's own per-turn measurements (turn.metrics), to see where the overhead goes. */
  serverLlmTtftMs: number[];
  serverTtsTtfbMs: number[];
  turns: number;
  error?: string;
}

export type FromLoad =
  | { type: 'fakes'; openAiBaseUrl: string; elevenLabsBaseUrl: string }
  /** Every client of the round is connected and its session started (`startMs`: connect → session.started, each). */
  | { type: 'steady'; startMs: number[] }
  /** The turns of the measurement window; the sessions are still open. */
  | { type: 'results'; sessions: SessionResult[]; loopDelayP99Ms: number }
  /** The round's sessions have been ended by their clients. */
  | { type: 'closed' }
  | { type: 'loop-delay'; loopDelayP99Ms: number };
