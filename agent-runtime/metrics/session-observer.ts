import { liveSessions, providerErrors, sessionEnds, sessionStarts, turnLatency, type SessionTransportKind, type TurnStage } from '../../core/metrics/session-metrics.ts';
import { endSessionSpan, startSessionSpan, traceTurn, type TracedTurn } from '../tracing/session-spans.ts';
import type { TurnMetricsPayload } from '../transport/protocol.ts';
import type { RuntimeSession, SessionOutcome } from '../session/runtime-deps.ts';

const PROVIDER_ERROR = 'provider-error:';

/** Counts a session from its start to its end (metrics, and its trace when tracing is on). */
export function observeSession(transport: SessionTransportKind, run: { session: RuntimeSession; done: Promise<SessionOutcome> }): void {
  sessionStarts.inc({ transport });
  liveSessions.inc({ transport });
  startSessionSpan(run.session, transport);
  void run.done.then((outcome) => {
    liveSessions.dec({ transport });
    // `provider-error:<provider>` is one reason whatever the provider; the provider is counted on its own metric.
    const failedProvider = outcome.endedReason.startsWith(PROVIDER_ERROR) ? outcome.endedReason.slice(PROVIDER_ERROR.length) : undefined;
    if (failedProvider !== undefined) providerErrors.inc({ provider: failedProvider });
    sessionEnds.inc({ transport, status: outcome.status, reason: failedProvider !== undefined ? 'provider-error' : outcome.endedReason });
    endSessionSpan(run.session.id, outcome);
  });
}

/** A reply turn's latencies, per stage (and its spans when tracing is on). */
export function observeTurn(turn: TurnMetricsPayload, context: TracedTurn): void {
  for (const [stage, ms] of turnStages(turn)) turnLatency.observe({ stage }, ms / 1000);
  traceTurn(turn, context);
}

/**
 * The stages measured in this turn. Platform overhead is what end to end leaves once the end-of-turn decision, the
 * LLM's first token and the TTS's first audio are taken out: the session's own share (a typed turn has no end of turn).
 */
function turnStages(turn: TurnMetricsPayload): Array<[TurnStage, number]> {
  const stages: Array<[TurnStage, number | null]> = [
    ['end_of_turn', turn.end_of_turn_delay_ms],
    ['stt', turn.stt_delay_ms],
    ['llm_ttft', turn.llm_ttft_ms],
    ['tts_ttfb', turn.tts_ttfb_ms],
    ['end_to_end', turn.e2e_ms],
  ];
  if (turn.e2e_ms !== null && turn.llm_ttft_ms !== null && turn.tts_ttfb_ms !== null) {
    const overhead = turn.e2e_ms - (turn.end_of_turn_delay_ms ?? 0) - turn.llm_ttft_ms - turn.tts_ttfb_ms;
    stages.push(['platform_overhead', Math.max(0, overhead)]);
  }
  return stages.filter((stage): stage is [TurnStage, number] => stage[1] !== null);
}
