import type { MetricCriterion, MetricName } from '../../core/evaluations/analysis-config.ts';
import type { CriterionScore } from '../../core/evaluations/evaluation-result.ts';
import { evidenceOf, spokenMessages, type EvaluatedSession, type TranscriptMessage } from './evaluated-session.ts';

/** A measured value and the messages it comes from (or undefined: the session has no such measurement). */
interface Measurement {
  value: number | string | boolean;
  evidence: Array<TranscriptMessage | undefined>;
}

/**
 * A metric criterion, from what the platform measured while the session ran: no model involved. A metric a session
 * has no value for (latency with no assistant turn) is skipped with that reason rather than counted as a failure.
 */
export function scoreMetric(criterion: MetricCriterion, session: EvaluatedSession): CriterionScore {
  const base = { criterion: criterion.name, kind: 'metric' as const, scale: 'pass_fail' as const };
  const measured = measure(criterion, session);
  if (!measured) {
    return { ...base, status: 'skipped', score: null, passed: null, rationale: `The session has no ${criterion.metric} (no assistant turn was measured).`, evidence: [] };
  }
  const passed = compare(measured.value, criterion.operator, criterion.threshold);
  const subject = criterion.metric === 'tool_called' && criterion.tool ? `tool_called (${criterion.tool})` : criterion.metric;
  const rationale = `${subject} was ${JSON.stringify(measured.value)}; the criterion is ${criterion.operator} ${JSON.stringify(criterion.threshold)}: ${passed ? 'passed' : 'failed'}.`;
  return { ...base, status: 'scored', score: passed ? 1 : 0, passed, rationale, evidence: evidenceOf(measured.evidence) };
}

function measure(criterion: MetricCriterion, session: EvaluatedSession): Measurement | undefined {
  const spoken = spokenMessages(session);
  const assistantTurns = spoken.filter((message) => message.role === 'assistant');
  const last = spoken.at(-1) ?? session.messages.at(-1);
  const slowest = [...assistantTurns].sort((a, b) => (b.metrics?.e2e_ms ?? -1) - (a.metrics?.e2e_ms ?? -1))[0];
  const metric: MetricName = criterion.metric;
  switch (metric) {
    case 'latency_p50_ms':
    case 'latency_p95_ms': {
      const value = metric === 'latency_p50_ms' ? session.latency?.p50_ms : session.latency?.p95_ms;
      return value === null || value === undefined ? undefined : { value, evidence: [slowest] };
    }
    case 'interruptions': {
      const interrupted = assistantTurns.filter((message) => message.interrupted);
      return { value: interrupted.length, evidence: interrupted };
    }
    case 'longest_silence_ms':
      return longestSilence(spoken);
    case 'duration_ms':
      return session.durationMs === null ? undefined : { value: session.durationMs, evidence: [last] };
    case 'user_turns': {
      const turns = spoken.filter((message) => message.role === 'user');
      return { value: turns.length, evidence: turns };
    }
    case 'ended_reason':
      return session.endedReason === null ? undefined : { value: session.endedReason, evidence: [last] };
    case 'end_call_reached':
      return { value: session.endedReason === 'assistant-ended', evidence: [assistantTurns.at(-1)] };
    case 'tool_called': {
      const calls = session.messages.filter((message) =>
        (message.tool_calls ?? []).some((call) => criterion.tool === null || call.name === criterion.tool),
      );
      return { value: calls.length > 0, evidence: calls };
    }
  }
}

/** The longest gap between one message ending and the next starting; the evidence is the message that broke it. */
function longestSilence(spoken: TranscriptMessage[]): Measurement {
  let longest = 0;
  let after: TranscriptMessage | undefined;
  for (let index = 1; index < spoken.length; index++) {
    const previousEnd = spoken[index - 1]!.end_ms;
    const start = spoken[index]!.start_ms;
    if (previousEnd === null || start === null) continue;
    if (start - previousEnd > longest) {
      longest = start - previousEnd;
      after = spoken[index];
    }
  }
  return { value: longest, evidence: [after] };
}

function compare(value: number | string | boolean, operator: MetricCriterion['operator'], threshold: number | string | boolean): boolean {
  switch (operator) {
    case 'eq':
      return value === threshold;
    case 'neq':
      return value !== threshold;
    case 'lt':
      return (value as number) < (threshold as number);
    case 'lte':
      return (value as number) <= (threshold as number);
    case 'gt':
      return (value as number) > (threshold as number);
    case 'gte':
      return (value as number) >= (threshold as number);
  }
}
