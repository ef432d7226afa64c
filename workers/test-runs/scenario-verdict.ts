import type { SessionOutcome } from '../../agent-runtime/session/runtime-deps.ts';
import type { EvaluationRow } from '../../core/repositories/evaluations.ts';
import type { ScenarioResult } from '../../core/repositories/test-runs.ts';

/**
 * Whether a played scenario passed. A criterion that scored and did not pass fails it (the assistant did something
 * wrong, whatever else went on); otherwise anything that kept the scenario from being decided makes it an `error`
 * with the reason: the caller could not play, the session failed, the evaluation failed, or a criterion could not be
 * scored (an llm criterion with no judge model). A scenario without criteria passes when its session ended normally.
 */
export function scenarioVerdict(input: {
  outcome: SessionOutcome;
  callerError: string | undefined;
  evaluation: EvaluationRow | undefined;
}): Pick<ScenarioResult, 'status' | 'scores' | 'error'> {
  const scores = input.evaluation?.scores ?? [];
  if (scores.some((score) => score.status === 'scored' && score.passed === false)) return { status: 'failed', scores, error: null };
  const error =
    input.callerError ??
    (input.outcome.status === 'failed' ? `The session failed (${input.outcome.endedReason}).` : undefined) ??
    (input.evaluation?.status === 'failed' ? `The evaluation failed: ${input.evaluation.error ?? 'no reason given'}` : undefined) ??
    unscored(input.evaluation);
  return error ? { status: 'error', scores, error } : { status: 'passed', scores, error: null };
}

function unscored(evaluation: EvaluationRow | undefined): string | undefined {
  if (!evaluation) return undefined;
  const skipped = evaluation.scores.find((score) => score.status === 'skipped');
  if (skipped) return `Criterion "${skipped.criterion}" was not scored: ${skipped.rationale}`;
  if (evaluation.status === 'skipped') return `The session could not be scored: ${evaluation.skipped_reason ?? 'no reason given'}`;
  return undefined;
}
