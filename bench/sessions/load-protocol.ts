/** Messages between the benchmark (server side) and its load generators (the fakes, the clients: two child processes). */
export interface FakeLatencies {
  llmTtftMs: number;
  ttsTtfbMs: number;
}

/** How the customer's app reaches the session: the server's own WebSocket, or a LiveKit room (WebRTC). */
export type BenchTransport = 'websocket' | 'livekit';
/** How the user takes a turn: typed text, or a speech fixture spoken in real time into an always-open microphone. */
export type BenchInput = 'typed' | 'speech';

/** A created session as the client needs it for its transport. */
export interface BenchSession {
  id: string;
  websocket: { token: string };
  livekit?: { url: string; token: string };
}

export type ToLoad =
  /** The fakes accept only the organization's keys for them. */
  | { type: 'start-fakes'; latencies: FakeLatencies; apiKeys: Record<'openai' | 'elevenlabs' | 'deepgram', string> }
  /** Connect every session over `rampMs`, then talk for `durationMs` (answered by steady, results, closed). */
  | { type: 'run'; baseUrl: string; transport: BenchTransport; input: BenchInput; sessions: BenchSession[]; durationMs: number; rampMs: number }
  /** Start measuring event-loop delay (the fakes' process), answered by `loop-delay`. */
  | { type: 'watch-loop' }
  | { type: 'loop-delay' }
  | { type: 'exit' };

export interface SessionResult {
  /** Client-seen e2e per turn: the user's turn complete (text sent, or end of speech) → first assistant audio heard. */
  e2eMs: number[];
  /** How far each reply's audio strayed from real time as the client heard it (see the transport's reply meter). */
  jitterMs: number[];
  /** Replies in which the client had to wait for audio it should already have been playing. */
  missedReplies: number;
  /** The server's own per-turn measurements (turn.metrics), to see where the overhead goes. */
  serverLlmTtftMs: number[];
  serverTtsTtfbMs: number[];
  turns: number;
  error?: string;
}

export type FromLoad =
  | { type: 'fakes'; openAiBaseUrl: string; elevenLabsBaseUrl: string; deepgramBaseUrl: string }
  /** Every client of the round is connected and its session started (`startMs`: connect → session.started, each). */
  | { type: 'steady'; startMs: number[] }
  /** The turns of the measurement window; the sessions are still open. */
  | { type: 'results'; sessions: SessionResult[]; loopDelayP99Ms: number }
  /** The round's sessions have been ended by their clients. */
  | { type: 'closed' }
  | { type: 'loop-delay'; loopDelayP99Ms: number };
