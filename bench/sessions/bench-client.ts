import type { TurnMetricsPayload } from '../../agent-runtime/transport/protocol.ts';

/** What one reply sounded like to the client, measured once it has played out. */
export interface ReplyMeasure {
  /** The user's turn complete → the first audio of the reply heard (undefined: none was heard). */
  e2eMs: number | undefined;
  /** Deviations from real time in the reply, in ms (their meaning depends on the transport's meter). */
  jitterMs: number[];
  /** The client had to wait for audio it should already have been playing. */
  missedRealTime: boolean;
}

/** One customer app in the benchmark, whatever the transport: it takes turns and hears replies. */
export interface BenchClient {
  /** Resolves once the server has started the session. */
  started(timeoutMs: number): Promise<void>;
  /** Types or says the user's turn; resolves with when the turn was complete (`performance.now()`). */
  takeTurn(): Promise<number>;
  /** Resolves when the reply to the last turn has played out (`assistant.audio.done`). */
  replyDone(timeoutMs: number): Promise<void>;
  /** The reply heard since the last `takeTurn()`. */
  measureReply(turnEndedAt: number): ReplyMeasure;
  /** The server's `turn.metrics` of every reply so far. */
  turnMetrics(): TurnMetricsPayload[];
  /** Ends the session and disconnects (resolves when the connection is closed, or given up on). */
  end(): Promise<void>;
}
